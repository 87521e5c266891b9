package dev.privacy.dpf.operator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The operator's RBAC list ({@code /dpf-operator-rbac.yaml} in the operator jar), and requests read
 * the way the API server's authorizer reads them.
 */
record RbacList(List<Rule> rules) {
  static final String RESOURCE = "/dpf-operator-rbac.yaml";

  /**
   * One rule of the list.
   *
   * @param group the API group ({@code ""}: core)
   * @param resource the resource, or {@code resource/subresource}
   * @param verbs the verbs
   * @param scope {@code watched}, {@code cluster} or {@code namespace:<flag>}
   * @param names a flag whose values are the only names granted (when it has any), or null
   * @param when conditions {@code flag=value} or {@code flag!=value}, all of which must hold
   * @param unused per verb, why it is granted although the scenario does not send it
   */
  record Rule(
      String group,
      String resource,
      List<String> verbs,
      String scope,
      String names,
      List<String> when,
      Map<String, String> unused) {

    String resourceKey() {
      return (group.isEmpty() ? "core" : group) + ":" + resource;
    }

    /** Whether the rule is needed under these flags. */
    boolean applies(Map<String, String> flags) {
      for (String c : when) {
        boolean negated = c.contains("!=");
        String[] kv = c.split(negated ? "!=" : "=", 2);
        String actual = flags.get(kv[0]);
        if (actual == null) {
          throw new IllegalArgumentException("rule " + resourceKey() + ": unknown flag " + kv[0]);
        }
        if (actual.equals(kv.length > 1 ? kv[1] : "") == negated) {
          return false;
        }
      }
      return true;
    }

    /** Whether the rule grants {@code r} under these flags. */
    boolean grants(Request r, Map<String, String> flags) {
      if (!applies(flags)
          || !group.equals(r.group())
          || !resource.equals(r.resource())
          || !verbs.contains(r.verb())) {
        return false;
      }
      boolean inScope;
      if (scope.equals("cluster")) {
        inScope = r.namespace() == null;
      } else if (scope.equals("watched")) {
        List<String> watched = list(flags.get("namespaces"));
        inScope = watched.isEmpty() || watched.contains(r.namespace());
      } else if (scope.startsWith("namespace:")) {
        inScope = flags.get(scope.substring("namespace:".length())).equals(r.namespace());
      } else {
        throw new IllegalArgumentException("rule " + resourceKey() + ": bad scope " + scope);
      }
      if (!inScope) {
        return false;
      }
      if (names != null) {
        List<String> allowed = list(flags.get(names));
        return allowed.isEmpty() || allowed.contains(r.name());
      }
      return true;
    }
  }

  /**
   * A request as the authorizer sees it.
   *
   * @param verb get, list, watch, create, update, patch, delete or deletecollection
   * @param group the API group ({@code ""}: core)
   * @param resource the resource, or {@code resource/subresource}
   * @param namespace the namespace, null for a cluster-wide request
   * @param name the object's name (also from a {@code metadata.name} field selector), or null
   */
  record Request(String verb, String group, String resource, String namespace, String name) {

    String resourceKey() {
      return (group.isEmpty() ? "core" : group) + ":" + resource;
    }

    Request withVerb(String v) {
      return new Request(v, group, resource, namespace, name);
    }

    /** The authorizer's reading of {@code method path}, like the API server's RequestInfo. */
    static Request of(String method, String pathAndQuery) {
      int q = pathAndQuery.indexOf('?');
      String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
      Map<String, String> query = new LinkedHashMap<>();
      if (q >= 0) {
        for (String p : pathAndQuery.substring(q + 1).split("&")) {
          String[] kv = p.split("=", 2);
          query.put(
              URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
              kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
      }
      List<String> s = new ArrayList<>(Arrays.asList(path.replaceAll("^/+", "").split("/")));
      String group;
      if (s.get(0).equals("api") && s.size() >= 2) {
        group = "";
        s = s.subList(2, s.size());
      } else if (s.get(0).equals("apis") && s.size() >= 3) {
        group = s.get(1);
        s = s.subList(3, s.size());
      } else {
        return new Request(method.toLowerCase(), "", "nonResourceURL:" + path, null, null);
      }
      if (s.isEmpty()) {
        return new Request(method.toLowerCase(), "", "nonResourceURL:" + path, null, null);
      }
      String namespace = null;
      if (s.get(0).equals("namespaces") && s.size() >= 3) {
        namespace = s.get(1);
        s = s.subList(2, s.size());
      }
      String resource = s.get(0);
      String name = s.size() > 1 ? s.get(1) : null;
      if (s.size() > 2) {
        resource = resource + "/" + s.get(2);
      }
      String verb =
          switch (method) {
            case "GET", "HEAD" -> {
              if (name != null) {
                yield "get";
              }
              String w = query.get("watch");
              yield "true".equals(w) || "1".equals(w) ? "watch" : "list";
            }
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase();
          };
      if (name == null && (verb.equals("list") || verb.equals("watch"))) {
        String fs = query.get("fieldSelector");
        if (fs != null && fs.startsWith("metadata.name=") && !fs.contains(",")) {
          name = fs.substring("metadata.name=".length());
        }
      }
      return new Request(verb, group, resource, namespace, name);
    }

    @Override
    public String toString() {
      return verb
          + " "
          + resourceKey()
          + (namespace == null ? " (cluster-wide)" : " in " + namespace)
          + (name == null ? "" : " named " + name);
    }
  }

  /** The rule that grants {@code r}, if any. */
  Optional<Rule> grant(Request r, Map<String, String> flags) {
    return rules.stream().filter(x -> x.grants(r, flags)).findFirst();
  }

  @SuppressWarnings("unchecked")
  static RbacList load() {
    try (InputStream in = RbacList.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      Map<String, Object> doc =
          (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
      List<Rule> rules = new ArrayList<>();
      for (Map<String, Object> r : (List<Map<String, Object>>) doc.get("rules")) {
        rules.add(
            new Rule(
                (String) r.get("group"),
                (String) r.get("resource"),
                List.copyOf((List<String>) r.get("verbs")),
                (String) r.get("scope"),
                (String) r.get("names"),
                r.containsKey("when") ? List.copyOf((List<String>) r.get("when")) : List.of(),
                r.containsKey("unused")
                    ? Map.copyOf((Map<String, String>) r.get("unused"))
                    : Map.of()));
      }
      return new RbacList(List.copyOf(rules));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> list(String csv) {
    List<String> out = new ArrayList<>();
    for (String p : csv.split(",")) {
      if (!p.isBlank()) {
        out.add(p.trim());
      }
    }
    return out;
  }
}
