package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A {@code metav1.LabelSelector} (as JSON) evaluated against labels: every {@code matchLabels}
 * entry and every {@code matchExpressions} requirement ({@code In}, {@code NotIn}, {@code Exists},
 * {@code DoesNotExist}) must hold; an empty selector matches everything. An unknown operator
 * matches nothing, as the real API server rejects such a selector.
 */
final class LabelSelectors {
  private LabelSelectors() {}

  static boolean matches(JsonNode selector, Map<String, String> labels) {
    if (selector == null || selector.isMissingNode() || selector.isNull()) {
      return true;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (JsonNode req : selector.path("matchExpressions")) {
      String key = req.path("key").asText();
      Set<String> values = new HashSet<>();
      req.path("values").forEach(v -> values.add(v.asText()));
      String have = labels.get(key);
      boolean ok =
          switch (req.path("operator").asText()) {
            case "In" -> have != null && values.contains(have);
            case "NotIn" -> have == null || !values.contains(have);
            case "Exists" -> have != null;
            case "DoesNotExist" -> have == null;
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
