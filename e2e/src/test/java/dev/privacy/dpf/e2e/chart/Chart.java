package dev.privacy.dpf.e2e.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The chart in helm/dpf-operator, rendered by real Helm (helm-java) and parsed. */
final class Chart {
  /** The e2e module runs from its own directory. */
  static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();

  static final Path DIR = ROOT.resolve("helm").resolve("dpf-operator");
  static final String RELEASE = "dpf-operator";
  static final String NAMESPACE = "dpf-system";

  /** The Kubernetes version the chart is rendered for (helm-java would assume 1.20). */
  static final String KUBE_VERSION = "v1.30.0";

  private Chart() {}

  static Helm helm() {
    return new Helm(DIR);
  }

  /** Renders the chart with {@code valuesYaml} (may be empty) as release dpf-operator. */
  static Rendered render(String valuesYaml) {
    return render(RELEASE, NAMESPACE, valuesYaml);
  }

  static Rendered render(String release, String namespace, String valuesYaml) {
    return new Rendered(template(release, namespace, valuesYaml), namespace);
  }

  /** The text Helm renders; throws Helm's error when the values are refused. */
  static String template(String release, String namespace, String valuesYaml) {
    TemplateCommand t =
        helm().template().withName(release).withNamespace(namespace).withKubeVersion(KUBE_VERSION);
    Path values = null;
    try {
      if (valuesYaml != null && !valuesYaml.isBlank()) {
        values = Files.createTempFile("dpf-values-", ".yaml");
        Files.writeString(values, valuesYaml);
        t = t.withValuesFile(values);
      }
      return t.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (values != null) {
        try {
          Files.deleteIfExists(values);
        } catch (IOException e) {
          // a temporary file left behind
        }
      }
    }
  }

  /** YAML documents, parsed (YAML 1.2 core schema). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> parseAll(String yaml) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object o : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
      if (o instanceof Map<?, ?> m) {
        docs.add((Map<String, Object>) m);
      }
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> parse(String yaml) {
    return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
  }

  /** A path into parsed YAML: keys of maps, indexes of lists; null when absent. */
  @SuppressWarnings("unchecked")
  static <T> T at(Object root, Object... path) {
    Object o = root;
    for (Object p : path) {
      if (o instanceof Map<?, ?> m) {
        o = m.get(p);
      } else if (o instanceof List<?> l && p instanceof Integer i) {
        o = i < l.size() ? l.get(i) : null;
      } else {
        return null;
      }
    }
    return (T) o;
  }

  /** The objects of one rendering. */
  static final class Rendered {
    final String text;
    final String namespace;
    final List<Map<String, Object>> objects;

    Rendered(String text, String namespace) {
      this.text = text;
      this.namespace = namespace;
      this.objects = parseAll(text);
    }

    List<Map<String, Object>> all(String kind) {
      return objects.stream().filter(o -> kind.equals(o.get("kind"))).collect(Collectors.toList());
    }

    Map<String, Object> one(String kind) {
      List<Map<String, Object>> found = all(kind);
      if (found.size() != 1) {
        throw new AssertionError("expected one " + kind + ", found " + found.size());
      }
      return found.get(0);
    }

    Map<String, Object> named(String kind, String name) {
      return objects.stream()
          .filter(o -> kind.equals(o.get("kind")) && name.equals(at(o, "metadata", "name")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    /** kind/name of every object, in order. */
    List<String> inventory() {
      return objects.stream()
          .map(o -> o.get("kind") + "/" + at(o, "metadata", "name"))
          .collect(Collectors.toList());
    }

    Map<String, Object> deployment() {
      return one("Deployment");
    }

    Map<String, Object> container() {
      return at(deployment(), "spec", "template", "spec", "containers", 0);
    }

    /** The operator's flags as the container passes them, in order ({@code --name=value}). */
    List<String> args() {
      return at(container(), "args");
    }

    /** name to value of {@link #args()}. */
    Map<String, String> flags() {
      Map<String, String> f = new LinkedHashMap<>();
      for (String a : args()) {
        if (!a.startsWith("--") || !a.contains("=")) {
          throw new AssertionError("not a --flag=value argument: " + a);
        }
        String k = a.substring(2, a.indexOf('='));
        if (f.put(k, a.substring(a.indexOf('=') + 1)) != null) {
          throw new AssertionError("flag --" + k + " given twice");
        }
      }
      return f;
    }

    /**
     * The arguments as the kubelet passes them: {@code $(POD_NAME)} and {@code $(POD_NAMESPACE)}
     * expanded from the downward API (the pod's name is made up here).
     */
    String[] expandedArgs(String podName) {
      List<Map<String, Object>> env = at(container(), "env");
      Map<String, String> values = new LinkedHashMap<>();
      for (Map<String, Object> e : env) {
        String field = at(e, "valueFrom", "fieldRef", "fieldPath");
        if ("metadata.name".equals(field)) {
          values.put((String) e.get("name"), podName);
        } else if ("metadata.namespace".equals(field)) {
          values.put((String) e.get("name"), namespace);
        }
      }
      return args().stream()
          .map(
              a -> {
                String x = a;
                for (Map.Entry<String, String> v : values.entrySet()) {
                  x = x.replace("$(" + v.getKey() + ")", v.getValue());
                }
                if (x.contains("$(")) {
                  throw new AssertionError("unexpanded variable in " + a);
                }
                return x;
              })
          .toArray(String[]::new);
    }
  }
}
