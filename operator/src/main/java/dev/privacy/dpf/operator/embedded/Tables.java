package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.privacy.dpf.operator.embedded.ApiResources.Column;
import dev.privacy.dpf.operator.embedded.ApiResources.Resource;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Server-side printing: a {@code meta.k8s.io/v1 Table} for a list or an object, as {@code kubectl
 * get} asks for it ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}). Custom resources
 * get their CRD's {@code additionalPrinterColumns} (after Name); built-in kinds get the columns the
 * real API server prints for them, abridged. Every column is sent with its priority; kubectl shows
 * priority > 0 columns only with {@code -o wide}. Rows carry the object as the request's {@code
 * includeObject} says: {@code Metadata} (the default, a PartialObjectMetadata), {@code Object} or
 * {@code None}.
 */
final class Tables {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Tables() {}

  /** Whether an Accept header asks for a Table. */
  static boolean wanted(String accept) {
    return accept != null && accept.contains("as=Table");
  }

  private record Col(String name, String type, String format, int priority, String description) {}

  /**
   * The Table of {@code doc} (a list with {@code items}, or one object) of resource type {@code r}.
   */
  static ObjectNode table(Resource r, JsonNode doc, String includeObject, Instant now) {
    List<Col> cols = columns(r);
    ObjectNode t = F.objectNode();
    t.put("kind", "Table");
    t.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode meta = t.putObject("metadata");
    ArrayNode defs = t.putArray("columnDefinitions");
    for (Col c : cols) {
      ObjectNode d = defs.addObject();
      d.put("name", c.name);
      d.put("type", c.type);
      d.put("format", c.format);
      d.put("description", c.description);
      d.put("priority", c.priority);
    }
    ArrayNode rows = t.putArray("rows");
    List<JsonNode> objects = new ArrayList<>();
    if (doc.has("items")) {
      doc.path("items").forEach(objects::add);
      meta.put("resourceVersion", doc.path("metadata").path("resourceVersion").asText(""));
    } else {
      objects.add(doc);
      meta.put("resourceVersion", doc.path("metadata").path("resourceVersion").asText(""));
    }
    for (JsonNode o : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells(r, o, now).forEach(cells::add);
      switch (includeObject == null ? "Metadata" : includeObject) {
        case "None" -> {}
        case "Object" -> row.set("object", o);
        default -> {
          ObjectNode partial = row.putObject("object");
          partial.put("kind", "PartialObjectMetadata");
          partial.put("apiVersion", "meta.k8s.io/v1");
          partial.set("metadata", o.path("metadata"));
        }
      }
    }
    return t;
  }

  private static List<Col> columns(Resource r) {
    List<Col> cols = new ArrayList<>();
    // events print their name last, and only with -o wide, as the real API server's table does
    boolean event = !r.custom() && r.kind().equals("Event");
    Col name =
        new Col("Name", "string", "name", event ? 1 : 0, "Name must be unique within a namespace.");
    if (!event) {
      cols.add(name);
    }
    if (r.custom()) {
      for (Column c : r.columns()) {
        String desc =
            c.description().isEmpty()
                ? "Custom resource definition column (in JSONPath format): " + c.jsonPath()
                : c.description();
        cols.add(new Col(c.name(), c.type(), c.format(), c.priority(), desc));
      }
      return cols;
    }
    for (String[] c : builtinColumns(r.kind())) {
      cols.add(new Col(c[0], "string", "", Integer.parseInt(c[1]), c[0]));
    }
    if (event) {
      cols.add(name);
    }
    return cols;
  }

  /** Built-in columns after Name: {name, priority}. */
  private static String[][] builtinColumns(String kind) {
    return switch (kind) {
      case "Pod" ->
          new String[][] {
            {"Ready", "0"},
            {"Status", "0"},
            {"Restarts", "0"},
            {"Age", "0"},
            {"IP", "1"},
            {"Node", "1"},
            {"Nominated Node", "1"},
            {"Readiness Gates", "1"}
          };
      case "Namespace" -> new String[][] {{"Status", "0"}, {"Age", "0"}};
      case "Node" ->
          new String[][] {{"Status", "0"}, {"Roles", "0"}, {"Age", "0"}, {"Version", "0"}};
      case "Job" ->
          new String[][] {
            {"Status", "0"},
            {"Completions", "0"},
            {"Duration", "0"},
            {"Age", "0"},
            {"Containers", "1"},
            {"Images", "1"},
            {"Selector", "1"}
          };
      case "Event" ->
          new String[][] {
            {"Last Seen", "0"}, {"Type", "0"}, {"Reason", "0"}, {"Object", "0"}, {"Message", "0"}
          };
      case "Lease" -> new String[][] {{"Holder", "0"}, {"Age", "0"}};
      case "CustomResourceDefinition" -> new String[][] {{"Created At", "0"}};
      case "Service" ->
          new String[][] {
            {"Type", "0"}, {"Cluster-IP", "0"}, {"External-IP", "0"}, {"Port(s)", "0"}, {"Age", "0"}
          };
      case "Secret" -> new String[][] {{"Type", "0"}, {"Data", "0"}, {"Age", "0"}};
      case "ConfigMap" -> new String[][] {{"Data", "0"}, {"Age", "0"}};
      case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" ->
          new String[][] {{"Webhooks", "0"}, {"Age", "0"}};
      default -> new String[][] {{"Age", "0"}};
    };
  }

  private static List<JsonNode> cells(Resource r, JsonNode o, Instant now) {
    List<JsonNode> cells = new ArrayList<>();
    JsonNode md = o.path("metadata");
    cells.add(F.textNode(md.path("name").asText()));
    if (r.custom()) {
      for (Column c : r.columns()) {
        cells.add(customCell(c, o, now));
      }
      return cells;
    }
    String age = age(md.path("creationTimestamp").asText(null), now);
    switch (r.kind()) {
      case "Pod" -> pod(o, age, cells);
      case "Namespace" -> {
        cells.add(F.textNode(o.path("status").path("phase").asText("Active")));
        cells.add(F.textNode(age));
      }
      case "Node" -> {
        String ready = "Unknown";
        for (JsonNode c : o.path("status").path("conditions")) {
          if ("Ready".equals(c.path("type").asText())) {
            ready = "True".equals(c.path("status").asText()) ? "Ready" : "NotReady";
          }
        }
        cells.add(F.textNode(ready));
        List<String> roles = new ArrayList<>();
        md.path("labels")
            .fieldNames()
            .forEachRemaining(
                k -> {
                  if (k.startsWith("node-role.kubernetes.io/")) {
                    roles.add(k.substring("node-role.kubernetes.io/".length()));
                  }
                });
        cells.add(F.textNode(roles.isEmpty() ? "<none>" : String.join(",", roles)));
        cells.add(F.textNode(age));
        cells.add(F.textNode(o.path("status").path("nodeInfo").path("kubeletVersion").asText("")));
      }
      case "Job" -> job(o, age, now, cells);
      case "Event" -> {
        String last =
            firstNonEmpty(
                o.path("lastTimestamp").asText(""),
                o.path("eventTime").asText(""),
                o.path("deprecatedLastTimestamp").asText(""),
                md.path("creationTimestamp").asText(""));
        cells.add(F.textNode(age(last, now)));
        cells.add(F.textNode(o.path("type").asText("")));
        cells.add(F.textNode(o.path("reason").asText("")));
        JsonNode about = o.has("involvedObject") ? o.path("involvedObject") : o.path("regarding");
        cells.add(
            F.textNode(
                about.path("kind").asText("").toLowerCase(Locale.ROOT)
                    + "/"
                    + about.path("name").asText("")));
        cells.add(
            F.textNode(o.has("message") ? o.path("message").asText() : o.path("note").asText("")));
        cells.add(cells.remove(0)); // the name goes last
      }
      case "Lease" -> {
        cells.add(F.textNode(o.path("spec").path("holderIdentity").asText("")));
        cells.add(F.textNode(age));
      }
      case "CustomResourceDefinition" ->
          cells.add(F.textNode(md.path("creationTimestamp").asText("")));
      case "Service" -> {
        JsonNode spec = o.path("spec");
        cells.add(F.textNode(spec.path("type").asText("ClusterIP")));
        cells.add(F.textNode(spec.path("clusterIP").asText("<none>")));
        cells.add(F.textNode("<none>"));
        List<String> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
          ports.add(p.path("port").asText() + "/" + p.path("protocol").asText("TCP"));
        }
        cells.add(F.textNode(ports.isEmpty() ? "<none>" : String.join(",", ports)));
        cells.add(F.textNode(age));
      }
      case "Secret" -> {
        cells.add(F.textNode(o.path("type").asText("Opaque")));
        cells.add(F.numberNode(o.path("data").size() + o.path("stringData").size()));
        cells.add(F.textNode(age));
      }
      case "ConfigMap" -> {
        cells.add(F.numberNode(o.path("data").size() + o.path("binaryData").size()));
        cells.add(F.textNode(age));
      }
      case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" -> {
        cells.add(F.numberNode(o.path("webhooks").size()));
        cells.add(F.textNode(age));
      }
      default -> cells.add(F.textNode(age));
    }
    return cells;
  }

  private static void pod(JsonNode o, String age, List<JsonNode> cells) {
    JsonNode spec = o.path("spec");
    JsonNode st = o.path("status");
    int total = spec.path("containers").size();
    int ready = 0;
    int restarts = 0;
    String reason = st.path("reason").asText("");
    String phase = st.path("phase").asText("Pending");
    String status = reason.isEmpty() ? phase : reason;
    for (JsonNode cs : st.path("containerStatuses")) {
      if (cs.path("ready").asBoolean(false)) {
        ready++;
      }
      restarts += cs.path("restartCount").asInt(0);
      JsonNode state = cs.path("state");
      if (state.path("waiting").hasNonNull("reason")) {
        status = state.path("waiting").path("reason").asText();
      } else if (state.path("terminated").hasNonNull("reason")) {
        status = state.path("terminated").path("reason").asText(); // Completed, Error
      }
    }
    boolean gated = spec.path("schedulingGates").size() > 0;
    if (gated && spec.path("nodeName").asText("").isEmpty()) {
      status = "SchedulingGated";
    }
    if (o.path("metadata").hasNonNull("deletionTimestamp")) {
      status = "Terminating";
    }
    cells.add(F.textNode(ready + "/" + total));
    cells.add(F.textNode(status));
    cells.add(F.textNode(Integer.toString(restarts)));
    cells.add(F.textNode(age));
    cells.add(F.textNode(st.path("podIP").asText("<none>")));
    cells.add(F.textNode(spec.path("nodeName").asText("<none>")));
    cells.add(F.textNode(st.path("nominatedNodeName").asText("<none>")));
    cells.add(F.textNode("<none>"));
  }

  private static void job(JsonNode o, String age, Instant now, List<JsonNode> cells) {
    JsonNode spec = o.path("spec");
    JsonNode st = o.path("status");
    String status = spec.path("suspend").asBoolean(false) ? "Suspended" : "Running";
    for (JsonNode c : st.path("conditions")) {
      if ("True".equals(c.path("status").asText())) {
        String type = c.path("type").asText();
        if (type.equals("Complete") || type.equals("Failed")) {
          status = type;
        }
      }
    }
    int succeeded = st.path("succeeded").asInt(0);
    String completions;
    if (spec.hasNonNull("completions")) {
      completions = succeeded + "/" + spec.path("completions").asInt();
    } else {
      int parallelism = spec.path("parallelism").asInt(1);
      completions = succeeded + "/1" + (parallelism > 1 ? " of " + parallelism : "");
    }
    String duration = "";
    Instant start = instant(st.path("startTime").asText(null));
    if (start != null) {
      Instant end = instant(st.path("completionTime").asText(null));
      duration = human(Duration.between(start, end == null ? now : end));
    }
    cells.add(F.textNode(status));
    cells.add(F.textNode(completions));
    cells.add(F.textNode(duration));
    cells.add(F.textNode(age));
    List<String> names = new ArrayList<>();
    List<String> images = new ArrayList<>();
    for (JsonNode c : spec.path("template").path("spec").path("containers")) {
      names.add(c.path("name").asText());
      images.add(c.path("image").asText());
    }
    cells.add(F.textNode(String.join(",", names)));
    cells.add(F.textNode(String.join(",", images)));
    List<String> sel = new ArrayList<>();
    spec.path("selector")
        .path("matchLabels")
        .fields()
        .forEachRemaining(e -> sel.add(e.getKey() + "=" + e.getValue().asText()));
    cells.add(F.textNode(sel.isEmpty() ? "<none>" : String.join(",", sel)));
  }

  private static JsonNode customCell(Column c, JsonNode o, Instant now) {
    JsonNode v = JsonPathLite.first(o, c.jsonPath());
    if (v == null || v.isNull()) {
      return F.nullNode();
    }
    switch (c.type()) {
      case "integer":
        return v.isNumber() ? F.numberNode(v.asLong()) : F.nullNode();
      case "number":
        return v.isNumber() ? F.numberNode(v.asDouble()) : F.nullNode();
      case "boolean":
        return v.isBoolean() ? v : F.nullNode();
      case "date":
        if (!v.isTextual()) {
          return F.nullNode();
        }
        String a = age(v.asText(), now);
        return F.textNode(a == null ? "<invalid>" : a);
      default: // string: what kubectl's JSONPath printing gives
        return F.textNode(v.isValueNode() ? v.asText() : v.toString());
    }
  }

  private static String firstNonEmpty(String... s) {
    for (String x : s) {
      if (x != null && !x.isEmpty()) {
        return x;
      }
    }
    return "";
  }

  private static Instant instant(String ts) {
    if (ts == null || ts.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(ts);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The age of an RFC 3339 timestamp, as kubectl shows it ({@code <unknown>} if absent). */
  static String age(String ts, Instant now) {
    if (ts == null || ts.isEmpty()) {
      return "<unknown>";
    }
    Instant t = instant(ts);
    return t == null ? "<invalid>" : human(Duration.between(t, now));
  }

  /**
   * A duration the way Kubernetes prints ages: seconds up to 2 minutes, then minutes (with seconds
   * below 10 minutes), hours (with minutes below 8 hours), days (with hours below 8 days), years.
   */
  static String human(Duration d) {
    long s = d.getSeconds();
    if (s < -1) {
      return "<invalid>";
    }
    if (s < 0) {
      return "0s";
    }
    if (s < 120) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 10) {
      return s % 60 == 0 ? m + "m" : m + "m" + (s % 60) + "s";
    }
    if (m < 180) {
      return m + "m";
    }
    long h = m / 60;
    if (h < 8) {
      return m % 60 == 0 ? h + "h" : h + "h" + (m % 60) + "m";
    }
    if (h < 48) {
      return h + "h";
    }
    if (h < 24 * 8) {
      return h % 24 == 0 ? (h / 24) + "d" : (h / 24) + "d" + (h % 24) + "h";
    }
    if (h < 24 * 365 * 2) {
      return (h / 24) + "d";
    }
    long y = h / 24 / 365;
    if (h < 24 * 365 * 8) {
      long dy = (h / 24) % 365;
      return dy == 0 ? y + "y" : y + "y" + dy + "d";
    }
    return y + "y";
  }

  static JsonNode parse(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      return null;
    }
  }
}
