"""Evidence synthesis: effect sizes, random-effects pooling, forest plots, risk of bias and GRADE certainty."""
