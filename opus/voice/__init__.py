"""Voice and accountability: feedback and ratings, complaints on statutory clocks, performance."""
