"""Local fakes of outside services, at their HTTP boundary (real signatures and payload shapes)."""
