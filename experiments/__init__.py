"""Drawing code for the paper's figures: reads saved results only."""
