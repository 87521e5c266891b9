package dev.privacy.dpf.crds.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The {@code x-kubernetes-validations} rules of the CRDs, compiled and evaluated with cel-java the
 * way the API server does it (the mock API server evaluates none of them).
 *
 * <ul>
 *   <li>Each rule is compiled against the schema at its node, as the API server does when the CRD
 *       is created: {@code self} and {@code oldSelf} are declared with the type that node's schema
 *       gives (an object with properties is a struct with exactly those fields, {@code
 *       additionalProperties} a map, {@code integer} an int, {@code number} a double, ...). So a
 *       misspelt field or a type mismatch ({@code self.epsilon == 1}) fails compilation here as it
 *       would fail the CRD there. Property names that are CEL reserved words or contain {@code .},
 *       {@code -}, {@code /} or {@code __} are escaped as Kubernetes escapes them ({@code
 *       namespace} is {@code self.__namespace__}).
 *   <li>Values are converted from the YAML/JSON tree to plain Java maps, lists, longs, doubles,
 *       strings and booleans by the same schema, so {@code epsilon: 1} is the double 1.0 as the API
 *       server has it; fields the schema does not declare are dropped (pruned), as are nulls.
 *   <li>A rule is evaluated once per value present at its node (for each element of a list), with
 *       {@code self} bound to that value. A transition rule (one that mentions {@code oldSelf}) is
 *       evaluated only on update, and only where the old object has a value at the same place
 *       (reached through object fields and map keys; list items do not correlate).
 *   <li>The rule fails when it evaluates to {@code false}; an evaluation error rejects the object
 *       as well (the API server reports it as an error).
 * </ul>
 *
 * <p>Only CEL's standard library and macros are declared. The Kubernetes-specific libraries
 * (quantity, url, ip, regex find, k8s list functions) are not: a rule that uses one fails to
 * compile here, and this class has to learn it first. Schema constructs it does not model ({@code
 * format} on strings, {@code x-kubernetes-embedded-resource}, {@code optionalOldSelf}) fail loudly
 * instead of being simulated wrongly.
 */
final class CelRules {

  /** A rule and where it sits: {@code path} is dotted, {@code [*]} for list items. */
  record Rule(
      String kind,
      String path,
      List<String> steps,
      String expression,
      String message,
      JsonNode schema) {

    /** Whether the rule compares with the old object ({@code oldSelf}): checked only on update. */
    boolean transition() {
      return OLD_SELF.matcher(expression).find();
    }

    /** Identifies the rule in coverage lists: {@code kind path: message}. */
    String key() {
      return kind + " " + (path.isEmpty() ? "<root>" : path) + ": " + message;
    }

    @Override
    public String toString() {
      return key() + " [" + expression + "]";
    }
  }

  /** A rule that did not pass on one value. {@code error} is set for an evaluation error. */
  record Failure(Rule rule, String valuePath, String error) {
    String message() {
      return rule.message();
    }

    @Override
    public String toString() {
      return valuePath
          + ": "
          + rule.message()
          + (error == null ? "" : " (evaluation error: " + error + ")");
    }
  }

  /**
   * Fields of a validation rule that this simulation honours. {@code messageExpression}, {@code
   * reason} and {@code fieldPath} only change how a failure is reported; {@code optionalOldSelf}
   * changes when a rule runs and is not simulated.
   */
  private static final Set<String> SIMULATED_RULE_FIELDS =
      Set.of("rule", "message", "messageExpression", "reason", "fieldPath");

  private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");

  /** CEL reserved words; Kubernetes escapes property names equal to one as {@code __word__}. */
  private static final Set<String> RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  private static final Pattern ACCESSIBLE = Pattern.compile("^[a-zA-Z_.\\-/][a-zA-Z0-9_.\\-/]*$");

  private static final Map<String, CelRules> BY_KIND = new ConcurrentHashMap<>();

  private final String kind;
  private final List<Rule> rules = new ArrayList<>();
  private final Map<String, StructType> structs = new LinkedHashMap<>();
  private final CelTypeProvider typeProvider =
      new CelTypeProvider() {
        @Override
        public ImmutableCollection<CelType> types() {
          return ImmutableList.copyOf(structs.values());
        }

        @Override
        public Optional<CelType> findType(String typeName) {
          return Optional.ofNullable(structs.get(typeName));
        }
      };
  private final Map<Rule, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  private CelRules(String kind, JsonNode openApiV3Schema) {
    this.kind = kind;
    collect(openApiV3Schema, new ArrayList<>());
  }

  /** The rules of a kind's CRD. */
  static CelRules of(String kind) {
    return BY_KIND.computeIfAbsent(kind, k -> new CelRules(k, Crds.openApiSchema(k)));
  }

  /** Every rule of the CRD, in schema order. */
  List<Rule> rules() {
    return List.copyOf(rules);
  }

  // ---------------------------------------------------------------------------------------------
  // collecting

  private void collect(JsonNode schema, List<String> steps) {
    JsonNode validations = schema.get("x-kubernetes-validations");
    if (validations != null) {
      for (JsonNode v : validations) {
        for (var field : v.properties()) {
          if (!SIMULATED_RULE_FIELDS.contains(field.getKey())) {
            throw new UnsupportedOperationException(
                "x-kubernetes-validations." + field.getKey() + " is not simulated; teach CelRules");
          }
        }
        rules.add(
            new Rule(
                kind,
                path(steps),
                List.copyOf(steps),
                v.path("rule").asText(),
                v.path("message").asText(""),
                schema));
      }
    }
    JsonNode properties = schema.get("properties");
    if (properties != null) {
      properties
          .properties()
          .forEach(
              e -> {
                List<String> next = new ArrayList<>(steps);
                next.add(e.getKey());
                collect(e.getValue(), next);
              });
    }
    JsonNode items = schema.get("items");
    if (items != null && items.isObject()) {
      List<String> next = new ArrayList<>(steps);
      next.add("[*]");
      collect(items, next);
    }
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && additional.isObject()) {
      List<String> next = new ArrayList<>(steps);
      next.add("{*}");
      collect(additional, next);
    }
  }

  private static String path(List<String> steps) {
    StringBuilder b = new StringBuilder();
    for (String s : steps) {
      if (!s.startsWith("[") && !s.startsWith("{") && b.length() > 0) {
        b.append('.');
      }
      b.append(s);
    }
    return b.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // compiling

  /**
   * Compiles a rule as the API server does when the CRD is created: against the schema-derived
   * types of {@code self} and {@code oldSelf}; the result must be a bool.
   *
   * @throws CelValidationException if it does not compile
   */
  CelAbstractSyntaxTree compile(Rule rule) throws CelValidationException {
    return compile(rule.schema(), rule.path(), rule.expression());
  }

  /** Compiles an expression at the schema node at {@code path} (for tests of this class). */
  CelAbstractSyntaxTree compileAt(String path, String expression) throws CelValidationException {
    JsonNode schema = Crds.openApiSchema(kind);
    for (String step : path.isEmpty() ? new String[0] : path.split("\\.")) {
      schema = schema.path("properties").path(step);
    }
    if (schema.isMissingNode()) {
      throw new IllegalArgumentException("no schema node at " + path);
    }
    return compile(schema, path, expression);
  }

  private record Compiled(Cel cel, CelAbstractSyntaxTree ast) {}

  private CelAbstractSyntaxTree compile(JsonNode schema, String path, String expression)
      throws CelValidationException {
    return compiled(schema, path, expression).ast();
  }

  private Compiled compiled(JsonNode schema, String path, String expression)
      throws CelValidationException {
    CelType selfType = typeOf(schema, kind + (path.isEmpty() ? "" : "." + path));
    Cel cel =
        CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current().build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .setTypeProvider(typeProvider)
            .addVar("self", selfType)
            .addVar("oldSelf", selfType)
            .build();
    CelAbstractSyntaxTree ast = cel.compile(expression).getAst();
    if (!SimpleType.BOOL.equals(ast.getResultType())) {
      throw new IllegalStateException(
          "rule at " + path + " evaluates to " + ast.getResultType() + ", not bool: " + expression);
    }
    return new Compiled(cel, ast);
  }

  private CelRuntime.Program program(Rule rule) {
    return programs.computeIfAbsent(
        rule,
        r -> {
          try {
            Compiled c = compiled(r.schema(), r.path(), r.expression());
            return c.cel().createProgram(c.ast());
          } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalStateException(
                "rule does not compile: " + r + "\n" + e.getMessage(), e);
          }
        });
  }

  /** The CEL type the API server gives a value of this schema (see the class comment). */
  private CelType typeOf(JsonNode schema, String name) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      return SimpleType.DYN;
    }
    if (schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
      throw new UnsupportedOperationException(name + ": embedded resources are not simulated");
    }
    String type = schema.path("type").asText("");
    switch (type) {
      case "object":
        JsonNode properties = schema.get("properties");
        if (properties != null && properties.size() > 0) {
          return struct(properties, name);
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
          return MapType.create(SimpleType.STRING, typeOf(additional, name + ".@value"));
        }
        return SimpleType.DYN; // x-kubernetes-preserve-unknown-fields or an open object
      case "array":
        return ListType.create(typeOf(schema.path("items"), name + ".@items"));
      case "string":
        if (schema.has("format")) {
          throw new UnsupportedOperationException(
              name + ": string format " + schema.get("format") + " changes the CEL type");
        }
        return SimpleType.STRING;
      case "integer":
        return SimpleType.INT;
      case "number":
        return SimpleType.DOUBLE;
      case "boolean":
        return SimpleType.BOOL;
      default:
        return SimpleType.DYN;
    }
  }

  private StructType struct(JsonNode properties, String name) {
    StructType existing = structs.get(name);
    if (existing != null) {
      return existing;
    }
    Map<String, CelType> fields = new LinkedHashMap<>();
    // register first (with a resolver over the map filled below), so self-references terminate
    StructType struct =
        StructType.create(
            name,
            ImmutableSet.copyOf(escapedNames(properties)),
            f -> Optional.ofNullable(fields.get(f)));
    structs.put(name, struct);
    properties
        .properties()
        .forEach(
            e -> {
              String field = escape(e.getKey());
              if (field != null) {
                fields.put(field, typeOf(e.getValue(), name + "." + e.getKey()));
              }
            });
    return struct;
  }

  private static List<String> escapedNames(JsonNode properties) {
    List<String> names = new ArrayList<>();
    for (var p : properties.properties()) {
      Optional.ofNullable(escape(p.getKey())).ifPresent(names::add);
    }
    return names;
  }

  /**
   * A property name as CEL sees it, escaped as Kubernetes escapes it; {@code null} if it cannot be
   * accessed from CEL at all.
   */
  static String escape(String name) {
    if (RESERVED.contains(name)) {
      return "__" + name + "__";
    }
    if (!ACCESSIBLE.matcher(name).matches()) {
      return null;
    }
    return name.replace("__", "__underscores__")
        .replace(".", "__dot__")
        .replace("-", "__dash__")
        .replace("/", "__slash__");
  }

  // ---------------------------------------------------------------------------------------------
  // evaluating

  /** The rules an object fails on create. */
  List<Failure> validateCreate(JsonNode object) {
    return validate(object, null);
  }

  /** The rules an object fails on update from {@code old}. */
  List<Failure> validateUpdate(JsonNode old, JsonNode object) {
    return validate(object, old);
  }

  private List<Failure> validate(JsonNode object, JsonNode old) {
    List<Failure> failures = new ArrayList<>();
    for (Rule rule : rules) {
      for (Located at : locate(object, rule.steps())) {
        Failure f = evaluate(rule, at, old);
        if (f != null) {
          failures.add(f);
        }
      }
    }
    return failures;
  }

  /** A value in the object, with the concrete path to it. */
  private record Located(String path, List<String> segments, boolean correlatable, JsonNode node) {}

  private static List<Located> locate(JsonNode root, List<String> steps) {
    List<Located> out = new ArrayList<>();
    locate(root, steps, 0, new ArrayList<>(), true, out);
    return out;
  }

  private static void locate(
      JsonNode node,
      List<String> steps,
      int i,
      List<String> segments,
      boolean correlatable,
      List<Located> out) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (i == steps.size()) {
      out.add(new Located(path(segments), List.copyOf(segments), correlatable, node));
      return;
    }
    String step = steps.get(i);
    if (step.equals("[*]")) {
      for (int k = 0; k < node.size(); k++) {
        List<String> next = new ArrayList<>(segments);
        next.add("[" + k + "]");
        locate(node.get(k), steps, i + 1, next, false, out);
      }
    } else if (step.equals("{*}")) {
      node.properties()
          .forEach(
              e -> {
                List<String> next = new ArrayList<>(segments);
                next.add(e.getKey());
                locate(e.getValue(), steps, i + 1, next, correlatable, out);
              });
    } else {
      List<String> next = new ArrayList<>(segments);
      next.add(step);
      locate(node.get(step), steps, i + 1, next, correlatable, out);
    }
  }

  private Failure evaluate(Rule rule, Located at, JsonNode oldRoot) {
    Object self = toCel(at.node(), rule.schema());
    if (self == null) {
      return null;
    }
    Map<String, Object> vars = new HashMap<>();
    vars.put("self", self);
    if (rule.transition()) {
      if (oldRoot == null || !at.correlatable()) {
        return null; // transition rules run only on update, on values that correlate
      }
      JsonNode oldNode = oldRoot;
      for (String s : at.segments()) {
        oldNode = oldNode.path(s);
      }
      Object oldSelf = toCel(oldNode, rule.schema());
      if (oldSelf == null) {
        return null;
      }
      vars.put("oldSelf", oldSelf);
    }
    try {
      Object result = program(rule).eval(vars);
      if (Boolean.TRUE.equals(result)) {
        return null;
      }
      return new Failure(
          rule, at.path(), result instanceof Boolean ? null : "not a bool: " + result);
    } catch (CelEvaluationException e) {
      return new Failure(rule, at.path(), e.getMessage());
    }
  }

  /**
   * A JSON value as the API server hands it to CEL, typed by its schema; {@code null} for an absent
   * or null value.
   */
  static Object toCel(JsonNode value, JsonNode schema) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (schema == null
        || schema.isMissingNode()
        || schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      return untyped(value);
    }
    String type = schema.path("type").asText("");
    switch (type) {
      case "object":
        {
          requireSchemaValid(value.isObject(), value, type);
          JsonNode properties = schema.get("properties");
          JsonNode additional = schema.get("additionalProperties");
          Map<String, Object> map = new LinkedHashMap<>();
          if (properties != null && properties.size() > 0) {
            value
                .properties()
                .forEach(
                    e -> {
                      JsonNode fieldSchema = properties.get(e.getKey());
                      String field = escape(e.getKey());
                      if (fieldSchema != null && field != null) { // undeclared fields are pruned
                        Object v = toCel(e.getValue(), fieldSchema);
                        if (v != null) {
                          map.put(field, v);
                        }
                      }
                    });
            return map;
          }
          if (additional != null && additional.isObject()) {
            value
                .properties()
                .forEach(
                    e -> {
                      Object v = toCel(e.getValue(), additional);
                      if (v != null) {
                        map.put(e.getKey(), v);
                      }
                    });
            return map;
          }
          return untyped(value);
        }
      case "array":
        {
          requireSchemaValid(value.isArray(), value, type);
          List<Object> list = new ArrayList<>();
          for (JsonNode item : value) {
            list.add(toCel(item, schema.path("items")));
          }
          return list;
        }
      case "string":
        requireSchemaValid(value.isTextual(), value, type);
        return value.asText();
      case "integer":
        requireSchemaValid(value.isIntegralNumber(), value, type);
        return value.asLong();
      case "number":
        requireSchemaValid(value.isNumber(), value, type);
        return value.asDouble();
      case "boolean":
        requireSchemaValid(value.isBoolean(), value, type);
        return value.asBoolean();
      default:
        return untyped(value);
    }
  }

  private static void requireSchemaValid(boolean ok, JsonNode value, String type) {
    if (!ok) {
      throw new IllegalArgumentException(
          "value " + value + " is not of schema type " + type + ": validate the schema first");
    }
  }

  private static Object untyped(JsonNode value) {
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      value
          .properties()
          .forEach(
              e -> {
                if (!e.getValue().isNull()) { // nulls are dropped, as for typed objects
                  map.put(e.getKey(), untyped(e.getValue()));
                }
              });
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(v -> list.add(untyped(v)));
      return list;
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    return value.asText();
  }
}
