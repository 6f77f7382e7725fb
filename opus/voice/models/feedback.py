"""Feedback and ratings: stories, moderation, replies and change badges."""
