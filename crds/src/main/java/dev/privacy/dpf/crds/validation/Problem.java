package dev.privacy.dpf.crds.validation;

/**
 * One thing wrong with a resource.
 *
 * @param field the field path, e.g. {@code spec.demand.epsDelta.epsilon}
 * @param value the offending value as written (null when the field is missing)
 * @param message what is wrong and what to do, naming the field and the value
 */
public record Problem(String field, String value, String message) {

  @Override
  public String toString() {
    return message;
  }
}
