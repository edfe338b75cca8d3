"""`graphlint run`: run the user's own training program with Estimator's entry points intercepted,
then build and check what each recorded call would have built."""
