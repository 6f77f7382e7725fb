META
key;value
description;Synthetic: the exhaustive stop decides
budget;10
vote_type;approval
PROJECTS
project_id;cost
a;40
b;5
c;10
VOTES
voter_id;vote
1;b
2;a,b,c
3;c
4;a,c
5;
