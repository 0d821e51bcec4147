/// Long-lived conversation sessions whose every turn is a graph run.
public enum TrellisSessionModule {}
