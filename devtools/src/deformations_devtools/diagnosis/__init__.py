"""Development support of the diagnosis service: synthetic answers, the demo, bench figures."""
