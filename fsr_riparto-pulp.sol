Optimal - objective value 0.00000000
      0 C0000000               0                      -0
      1 C0000001               0                      -0
      0 X0000000               0                       0
      1 X0000001               0                       0
