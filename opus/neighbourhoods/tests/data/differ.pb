META
key;value
description;Synthetic: greedy and Equal Shares differ
country;United Kingdom
unit;Testville
num_projects;4
num_votes;10
budget;100
vote_type;approval
rule;equalshares
PROJECTS
project_id;cost;votes;name;selected
a;60;999;Big park;1
b;40;999;Play area;1
c;50;0;Library hours;0
d;40;0;Community fridge;0
VOTES
voter_id;vote
1;a,b
2;a,b
3;a,b
4;a,b
5;a,b
6;a,b
7;c,d
8;c,d
9;c,d
10;c,d
