"""The training service: offers and offres groupées, enrolments with a waitlist, the
« à la carte » cycle and its rebond, evaluations, and the training budget of a
collectivité."""
