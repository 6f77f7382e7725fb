META
key;value
description;Synthetic: costs in pounds and pence
budget;100.00
vote_type;approval
PROJECTS
project_id;cost
x;60.50
y;39.50
VOTES
voter_id;vote
1;x
2;x
3;y
4;y
