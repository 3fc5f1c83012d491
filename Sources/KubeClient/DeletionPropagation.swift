/// How a delete treats the object's dependents (DeleteOptions.propagationPolicy).
public enum DeletionPropagation: String, Sendable {
  case foreground = "Foreground"
  case background = "Background"
  case orphan = "Orphan"
}
