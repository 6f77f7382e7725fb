META
key;value
description;Synthetic: Add1 funds what the first count leaves unspent
budget;100
vote_type;approval
PROJECTS
project_id;cost
x;60
y;40
VOTES
voter_id;vote
1;x
2;x
3;y
4;y
