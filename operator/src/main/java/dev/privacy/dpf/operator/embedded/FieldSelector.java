package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field selector ({@code involvedObject.name=x,status.phase!=Running}) split in two: the {@code
 * metadata.name} and {@code metadata.namespace} terms, which the CRUD mock evaluates itself, and
 * the others, which it cannot (it then matches nothing) and which are evaluated here on each
 * object, as dotted paths compared as text ({@code =}, {@code ==}, {@code !=}; a missing field is
 * the empty string, as on a real API server).
 */
final class FieldSelector {
  private record Term(String path, boolean equal, String value) {}

  private final List<String> forStore = new ArrayList<>();
  private final List<Term> here = new ArrayList<>();

  FieldSelector(String selector) {
    if (selector == null || selector.isBlank()) {
      return;
    }
    for (String t : selector.split(",")) {
      String term = t.trim();
      boolean not = term.contains("!=");
      String[] kv = term.split(not ? "!=" : "==?", 2);
      if (kv.length != 2) {
        continue;
      }
      String path = kv[0].trim();
      if (!not && (path.equals("metadata.name") || path.equals("metadata.namespace"))) {
        forStore.add(path + "=" + kv[1].trim());
      } else {
        here.add(new Term(path, !not, kv[1].trim()));
      }
    }
  }

  /** Whether some terms are evaluated here (the store must not see them). */
  boolean hasLocalTerms() {
    return !here.isEmpty();
  }

  /** The part of the selector the store evaluates ("" if none). */
  String storePart() {
    return String.join(",", forStore);
  }

  boolean matches(JsonNode object) {
    for (Term t : here) {
      JsonNode v = object;
      for (String part : t.path.split("\\.")) {
        v = v == null ? null : v.get(part);
      }
      String have = v == null || v.isNull() ? "" : v.asText();
      if (have.equals(t.value) != t.equal) {
        return false;
      }
    }
    return true;
  }
}
