package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The simple JSONPath of CRD printer columns: {@code .status.phase}, {@code
 * .metadata.labels.app\.kubernetes\.io/name}, {@code .spec['a.b']}, {@code .items[0]}, {@code
 * .items[*].name}, {@code .status.conditions[?(@.type=="Ready")].status} (with {@code ==} or {@code
 * !=} and a string, number or boolean). An optional surrounding {@code {...}} is accepted.
 * Unsupported syntax matches nothing rather than failing, as a missing key does.
 */
final class JsonPathLite {
  private JsonPathLite() {}

  /** Every node that {@code path} selects in {@code root}, in document order. */
  static List<JsonNode> select(JsonNode root, String path) {
    String p = path.trim();
    if (p.startsWith("{") && p.endsWith("}")) {
      p = p.substring(1, p.length() - 1).trim();
    }
    if (p.startsWith("$")) {
      p = p.substring(1);
    }
    List<JsonNode> current = new ArrayList<>();
    current.add(root);
    int i = 0;
    while (i < p.length() && !current.isEmpty()) {
      char c = p.charAt(i);
      if (c == '.') {
        StringBuilder name = new StringBuilder();
        i++;
        while (i < p.length() && p.charAt(i) != '.' && p.charAt(i) != '[') {
          if (p.charAt(i) == '\\' && i + 1 < p.length()) {
            i++;
          }
          name.append(p.charAt(i));
          i++;
        }
        current = field(current, name.toString());
      } else if (c == '[') {
        int end = closing(p, i);
        if (end < 0) {
          return List.of();
        }
        current = bracket(current, p.substring(i + 1, end).trim());
        i = end + 1;
      } else {
        return List.of(); // not a simple path
      }
    }
    return current;
  }

  /** The first match, or null. */
  static JsonNode first(JsonNode root, String path) {
    List<JsonNode> all = select(root, path);
    return all.isEmpty() ? null : all.get(0);
  }

  private static int closing(String p, int open) {
    boolean quoted = false;
    char quote = 0;
    int depth = 0;
    for (int j = open; j < p.length(); j++) {
      char c = p.charAt(j);
      if (quoted) {
        if (c == quote) {
          quoted = false;
        }
      } else if (c == '\'' || c == '"') {
        quoted = true;
        quote = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return j;
      }
    }
    return -1;
  }

  private static List<JsonNode> field(List<JsonNode> nodes, String name) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : nodes) {
      if (name.equals("*")) {
        n.elements().forEachRemaining(out::add);
      } else if (n.isObject() && n.has(name)) {
        out.add(n.get(name));
      }
    }
    return out;
  }

  private static List<JsonNode> bracket(List<JsonNode> nodes, String inner) {
    if (inner.startsWith("'") || inner.startsWith("\"")) {
      return field(nodes, inner.substring(1, inner.length() - 1));
    }
    List<JsonNode> out = new ArrayList<>();
    if (inner.equals("*")) {
      for (JsonNode n : nodes) {
        n.elements().forEachRemaining(out::add);
      }
      return out;
    }
    if (inner.startsWith("?(") && inner.endsWith(")")) {
      String cond = inner.substring(2, inner.length() - 1).trim();
      boolean negate = cond.contains("!=");
      String[] sides = cond.split(negate ? "!=" : "==", 2);
      if (sides.length != 2 || !sides[0].trim().startsWith("@")) {
        return out;
      }
      String sub = sides[0].trim().substring(1);
      String want = unquote(sides[1].trim());
      for (JsonNode n : nodes) {
        for (JsonNode e : n.isArray() ? iterable(n) : List.of(n)) {
          JsonNode v = first(e, sub);
          boolean eq = v != null && !v.isContainerNode() && v.asText().equals(want);
          if (eq != negate) {
            out.add(e);
          }
        }
      }
      return out;
    }
    try {
      int idx = Integer.parseInt(inner);
      for (JsonNode n : nodes) {
        if (n.isArray()) {
          int k = idx < 0 ? n.size() + idx : idx;
          if (k >= 0 && k < n.size()) {
            out.add(n.get(k));
          }
        }
      }
    } catch (NumberFormatException e) {
      // a slice or a union: not supported, matches nothing
    }
    return out;
  }

  private static List<JsonNode> iterable(JsonNode array) {
    List<JsonNode> l = new ArrayList<>();
    array.elements().forEachRemaining(l::add);
    return l;
  }

  private static String unquote(String s) {
    if (s.length() >= 2
        && (s.charAt(0) == '"' || s.charAt(0) == '\'')
        && s.charAt(s.length() - 1) == s.charAt(0)) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }
}
