META
key;value
description;Synthetic cumulative election
budget;30
vote_type;cumulative
max_sum_points;4
PROJECTS
project_id;cost;votes;score;selected
x;20;0;0;1
y;15;0;0;0
z;10;0;0;0
VOTES
voter_id;vote;points
1;x,y;3,1
2;x,y;1,3
3;z;4
