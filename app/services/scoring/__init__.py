"""Who will pay: a collection scorecard learned from the database's history (docs/scoring.md).

features  what is known of each overdue account at an instant, from the database alone, and
          whether it paid in the seven days after
scorecard the scorecard's JSON document, and `score(scorecard, features)`: points, probability
          and each characteristic's points (cheap: the queue calls it per account)
training  binning and fitting the scorecard (scikit-learn), with a gradient-boosted challenger
evaluation out-of-time figures (AUC, Gini, KS, calibration by decile, top-decile lift) and plots

scikit-learn and matplotlib are imported inside `training` and `evaluation` only, so the
queue, the window and the command line's start never load them.
"""
