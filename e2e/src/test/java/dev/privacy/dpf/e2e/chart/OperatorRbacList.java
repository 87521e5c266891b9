package dev.privacy.dpf.e2e.chart;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator's RBAC list ({@code dpf-operator-rbac.yaml} in the operator jar; the operator's
 * RbacTest keeps it true): the rules the chart must grant, and nothing else.
 */
final class OperatorRbacList {
  static final String RESOURCE = "/dpf-operator-rbac.yaml";

  /** One rule: see the file's header for the meaning of scope, names and when. */
  record Rule(
      String group,
      String resource,
      List<String> verbs,
      String scope,
      String names,
      List<String> when) {

    /** Whether the operator needs it under these flags (the operator's own reading of them). */
    boolean applies(Map<String, String> flags) {
      for (String c : when) {
        boolean negated = c.contains("!=");
        String[] kv = c.split(negated ? "!=" : "=", 2);
        String actual = flags.get(kv[0]);
        if (actual == null) {
          throw new IllegalArgumentException(resource + ": unknown flag in when: " + kv[0]);
        }
        if (actual.equals(kv.length > 1 ? kv[1] : "") == negated) {
          return false;
        }
      }
      return true;
    }
  }

  private OperatorRbacList() {}

  @SuppressWarnings("unchecked")
  static List<Rule> rules() {
    try (InputStream in = OperatorRbacList.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path (operator jar)");
      }
      Map<String, Object> doc = Chart.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<Rule> out = new ArrayList<>();
      for (Map<String, Object> r : (List<Map<String, Object>>) doc.get("rules")) {
        out.add(
            new Rule(
                (String) r.get("group"),
                (String) r.get("resource"),
                List.copyOf((List<String>) r.get("verbs")),
                (String) r.get("scope"),
                (String) r.get("names"),
                r.containsKey("when") ? List.copyOf((List<String>) r.get("when")) : List.of()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
