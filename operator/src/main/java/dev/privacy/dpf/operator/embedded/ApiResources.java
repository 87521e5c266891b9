package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The resource types the embedded server serves: a fixed set of built-in kinds plus one entry per
 * served version of every CustomResourceDefinition stored in it (re-read after a CRD is written),
 * and the discovery documents built from them ({@code /api}, {@code /apis}, {@code /api/v1}, {@code
 * /apis/<group>/<version>}).
 */
final class ApiResources {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  private static final List<String> SUB_VERBS = List.of("get", "patch", "update");

  /** A printer column of a CRD version. */
  record Column(
      String name, String type, String format, String description, int priority, String jsonPath) {}

  /**
   * One resource type.
   *
   * @param group API group
   * @param version API version
   * @param plural resource name in paths
   * @param singular singular name
   * @param kind kind
   * @param namespaced whether objects live in namespaces
   * @param verbs the verbs discovery lists
   * @param shortNames short names ({@code pb}, {@code po})
   * @param categories categories ({@code all})
   * @param subresources subresource names ({@code status})
   * @param columns the CRD's printer columns, or null for a built-in kind
   * @param schema the CRD version's OpenAPI v3 schema, or null
   */
  record Resource(
      String group,
      String version,
      String plural,
      String singular,
      String kind,
      boolean namespaced,
      List<String> verbs,
      List<String> shortNames,
      List<String> categories,
      List<String> subresources,
      List<Column> columns,
      JsonNode schema) {

    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }

    boolean custom() {
      return columns != null;
    }
  }

  private static Resource builtin(
      String group,
      String version,
      String plural,
      String kind,
      boolean namespaced,
      List<String> shortNames,
      List<String> categories,
      List<String> subresources) {
    return new Resource(
        group,
        version,
        plural,
        kind.toLowerCase(java.util.Locale.ROOT),
        kind,
        namespaced,
        ALL_VERBS,
        shortNames,
        categories,
        subresources,
        null,
        null);
  }

  static final List<Resource> BUILTIN =
      List.of(
          builtin("", "v1", "pods", "Pod", true, List.of("po"), List.of("all"), List.of("status")),
          builtin(
              "",
              "v1",
              "namespaces",
              "Namespace",
              false,
              List.of("ns"),
              List.of(),
              List.of("status", "finalize")),
          builtin("", "v1", "nodes", "Node", false, List.of("no"), List.of(), List.of("status")),
          builtin("", "v1", "events", "Event", true, List.of("ev"), List.of(), List.of()),
          builtin("", "v1", "secrets", "Secret", true, List.of(), List.of(), List.of()),
          builtin("", "v1", "configmaps", "ConfigMap", true, List.of("cm"), List.of(), List.of()),
          builtin(
              "",
              "v1",
              "services",
              "Service",
              true,
              List.of("svc"),
              List.of("all"),
              List.of("status")),
          builtin(
              "",
              "v1",
              "serviceaccounts",
              "ServiceAccount",
              true,
              List.of("sa"),
              List.of(),
              List.of()),
          builtin("batch", "v1", "jobs", "Job", true, List.of(), List.of("all"), List.of("status")),
          builtin(
              "batch",
              "v1",
              "cronjobs",
              "CronJob",
              true,
              List.of("cj"),
              List.of("all"),
              List.of("status")),
          builtin(
              "coordination.k8s.io",
              "v1",
              "leases",
              "Lease",
              true,
              List.of(),
              List.of(),
              List.of()),
          builtin(
              "events.k8s.io", "v1", "events", "Event", true, List.of("ev"), List.of(), List.of()),
          builtin(
              "apiextensions.k8s.io",
              "v1",
              "customresourcedefinitions",
              "CustomResourceDefinition",
              false,
              List.of("crd", "crds"),
              List.of(),
              List.of("status")),
          builtin(
              "admissionregistration.k8s.io",
              "v1",
              "mutatingwebhookconfigurations",
              "MutatingWebhookConfiguration",
              false,
              List.of(),
              List.of(),
              List.of()),
          builtin(
              "admissionregistration.k8s.io",
              "v1",
              "validatingwebhookconfigurations",
              "ValidatingWebhookConfiguration",
              false,
              List.of(),
              List.of(),
              List.of()));

  private final Supplier<String> storedCrds;
  private volatile List<Resource> custom;

  /** {@code storedCrds} answers the stored CRDs as a list document. */
  ApiResources(Supplier<String> storedCrds) {
    this.storedCrds = storedCrds;
  }

  /** Forgets the CRD-derived entries (a CRD was written); they are re-read on the next use. */
  void invalidate() {
    custom = null;
  }

  /** Built-in kinds first, then the custom resources. */
  List<Resource> all() {
    List<Resource> c = custom;
    if (c == null) {
      c = readCustom();
      custom = c;
    }
    List<Resource> all = new ArrayList<>(BUILTIN);
    all.addAll(c);
    return all;
  }

  /** The resource type of {@code group/version/plural}, or null. */
  Resource find(String group, String version, String plural) {
    for (Resource r : all()) {
      if (r.group.equals(group) && r.version.equals(version) && r.plural.equals(plural)) {
        return r;
      }
    }
    return null;
  }

  private List<Resource> readCustom() {
    List<Resource> out = new ArrayList<>();
    JsonNode list;
    try {
      list = JSON.readTree(storedCrds.get());
    } catch (Exception e) {
      return out;
    }
    for (JsonNode crd : list.path("items")) {
      JsonNode spec = crd.path("spec");
      JsonNode names = spec.path("names");
      String group = spec.path("group").asText();
      String plural = names.path("plural").asText();
      String kind = names.path("kind").asText();
      if (group.isEmpty() || plural.isEmpty() || kind.isEmpty()) {
        continue;
      }
      String singular = names.path("singular").asText(kind.toLowerCase(java.util.Locale.ROOT));
      boolean namespaced = !"Cluster".equals(spec.path("scope").asText());
      List<String> shortNames = strings(names.path("shortNames"));
      List<String> categories = strings(names.path("categories"));
      for (JsonNode v : spec.path("versions")) {
        if (!v.path("served").asBoolean(true)) {
          continue;
        }
        List<String> subs = new ArrayList<>();
        if (v.path("subresources").has("status")) {
          subs.add("status");
        }
        if (v.path("subresources").has("scale")) {
          subs.add("scale");
        }
        List<Column> columns = new ArrayList<>();
        for (JsonNode c : v.path("additionalPrinterColumns")) {
          columns.add(
              new Column(
                  c.path("name").asText(),
                  c.path("type").asText("string"),
                  c.path("format").asText(""),
                  c.path("description").asText(""),
                  c.path("priority").asInt(0),
                  c.path("jsonPath").asText()));
        }
        if (columns.isEmpty()) { // the API server's default for a CRD without columns
          columns.add(new Column("Age", "date", "", "", 0, ".metadata.creationTimestamp"));
        }
        out.add(
            new Resource(
                group,
                v.path("name").asText(),
                plural,
                singular,
                kind,
                namespaced,
                ALL_VERBS,
                shortNames,
                categories,
                subs,
                List.copyOf(columns),
                v.path("schema").path("openAPIV3Schema").isObject()
                    ? v.path("schema").path("openAPIV3Schema")
                    : null));
      }
    }
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** {@code /api}: the core group's versions. */
  String apiVersions(String serverAddress) {
    ObjectNode o = JSON.createObjectNode();
    o.put("kind", "APIVersions");
    o.putArray("versions").add("v1");
    ObjectNode cidr = o.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return o.toString();
  }

  /** {@code /apis}: every named group and its versions. */
  String apiGroupList() {
    ObjectNode o = JSON.createObjectNode();
    o.put("kind", "APIGroupList");
    o.put("apiVersion", "v1");
    ArrayNode groups = o.putArray("groups");
    for (Map.Entry<String, List<String>> g : groups().entrySet()) {
      groups.add(group(g.getKey(), g.getValue()));
    }
    return o.toString();
  }

  /** {@code /apis/<group>}: one group, or null if there is no such group. */
  String apiGroup(String name) {
    List<String> versions = groups().get(name);
    if (versions == null) {
      return null;
    }
    ObjectNode g = group(name, versions);
    g.put("kind", "APIGroup");
    g.put("apiVersion", "v1");
    return g.toString();
  }

  private Map<String, List<String>> groups() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (Resource r : all()) {
      if (r.group.isEmpty()) {
        continue;
      }
      List<String> vs = groups.computeIfAbsent(r.group, k -> new ArrayList<>());
      if (!vs.contains(r.version)) {
        vs.add(r.version);
      }
    }
    return groups;
  }

  private static ObjectNode group(String name, List<String> versions) {
    ObjectNode g = JSON.createObjectNode();
    g.put("name", name);
    ArrayNode vs = g.putArray("versions");
    for (String v : versions) {
      ObjectNode gv = vs.addObject();
      gv.put("groupVersion", name + "/" + v);
      gv.put("version", v);
    }
    ObjectNode preferred = g.putObject("preferredVersion");
    preferred.put("groupVersion", name + "/" + versions.get(0));
    preferred.put("version", versions.get(0));
    return g;
  }

  /** {@code /api/v1} or {@code /apis/<group>/<version>}, or null if nothing is served there. */
  String apiResourceList(String group, String version) {
    ObjectNode o = JSON.createObjectNode();
    o.put("kind", "APIResourceList");
    o.put("apiVersion", "v1");
    o.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode rs = o.putArray("resources");
    boolean any = false;
    for (Resource r : all()) {
      if (!r.group.equals(group) || !r.version.equals(version)) {
        continue;
      }
      any = true;
      ObjectNode e = rs.addObject();
      e.put("name", r.plural);
      e.put("singularName", r.singular);
      e.put("namespaced", r.namespaced);
      e.put("kind", r.kind);
      ArrayNode verbs = e.putArray("verbs");
      r.verbs.forEach(verbs::add);
      if (!r.shortNames.isEmpty()) {
        ArrayNode sn = e.putArray("shortNames");
        r.shortNames.forEach(sn::add);
      }
      if (!r.categories.isEmpty()) {
        ArrayNode cs = e.putArray("categories");
        r.categories.forEach(cs::add);
      }
      for (String sub : r.subresources) {
        ObjectNode s = rs.addObject();
        s.put("name", r.plural + "/" + sub);
        s.put("singularName", "");
        s.put("namespaced", r.namespaced);
        s.put("kind", r.kind);
        ArrayNode sv = s.putArray("verbs");
        (sub.equals("finalize") ? List.of("update") : SUB_VERBS).forEach(sv::add);
      }
    }
    return any ? o.toString() : null;
  }

  /**
   * {@code /openapi/v3}: one entry per group-version, pointing at {@link #openApi}. kubectl reads
   * it to learn that the server validates fields itself ({@code fieldValidation}), so it neither
   * needs the protobuf OpenAPI v2 document nor validates on the client.
   */
  String openApiRoot() {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode paths = o.putObject("paths");
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (Resource r : all()) {
      String key = r.group.isEmpty() ? "api/" + r.version : "apis/" + r.group + "/" + r.version;
      if (seen.put(key, true) == null) {
        String doc = openApi(r.group, r.version);
        paths
            .putObject(key)
            .put(
                "serverRelativeURL",
                "/openapi/v3/"
                    + key
                    + "?hash="
                    + Integer.toHexString(doc.hashCode()).toUpperCase());
      }
    }
    return o.toString();
  }

  /**
   * {@code /openapi/v3/apis/<group>/<version>}: a PATCH operation per kind (tagged with its
   * group-version-kind and declaring the {@code fieldValidation} parameter), and a CRD's schema as
   * a component (for {@code kubectl explain}); null if nothing is served there. Not a full
   * document: no other operations, no schemas for built-in kinds.
   */
  String openApi(String group, String version) {
    ObjectNode o = JSON.createObjectNode();
    o.put("openapi", "3.0.0");
    o.putObject("info")
        .put("title", "Kubernetes (DPF embedded API server)")
        .put("version", "v1.32.0");
    ObjectNode paths = o.putObject("paths");
    ObjectNode schemas = o.putObject("components").putObject("schemas");
    boolean any = false;
    for (Resource r : all()) {
      if (!r.group.equals(group) || !r.version.equals(version)) {
        continue;
      }
      any = true;
      String root = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
      String path = root + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.plural + "/{name}";
      ObjectNode patch = paths.putObject(path).putObject("patch");
      ObjectNode gvk = patch.putObject("x-kubernetes-group-version-kind");
      gvk.put("group", group).put("version", version).put("kind", r.kind);
      patch.put("operationId", "patch" + r.kind);
      ArrayNode params = patch.putArray("parameters");
      for (String p : new String[] {"dryRun", "fieldManager", "fieldValidation", "force"}) {
        params
            .addObject()
            .put("name", p)
            .put("in", "query")
            .putObject("schema")
            .put("type", "string");
      }
      ObjectNode content = patch.putObject("requestBody").putObject("content");
      content.putObject("application/json-patch+json").putObject("schema").put("type", "object");
      content.putObject("application/merge-patch+json").putObject("schema").put("type", "object");
      patch.putObject("responses").putObject("200").put("description", "OK");
      if (r.schema != null) {
        String reversed =
            String.join(".", reverse(group.split("\\."))) + "." + version + "." + r.kind;
        ObjectNode schema = r.schema.deepCopy();
        ObjectNode gvkExt = schema.putArray("x-kubernetes-group-version-kind").addObject();
        gvkExt.put("group", group).put("version", version).put("kind", r.kind);
        schemas.set(reversed, schema);
      }
    }
    return any ? o.toString() : null;
  }

  private static List<String> reverse(String[] parts) {
    List<String> l = new ArrayList<>(List.of(parts));
    java.util.Collections.reverse(l);
    return l;
  }
}
