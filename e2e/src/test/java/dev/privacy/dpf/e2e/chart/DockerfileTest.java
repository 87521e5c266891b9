package dev.privacy.dpf.e2e.chart;

import static dev.privacy.dpf.e2e.chart.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The operator image (the repository's Dockerfile) and the chart's image defaults agree: the
 * repository and tag the chart pulls, the user it runs as, the jar it starts. No Docker engine is
 * needed: the Dockerfile is read as text.
 */
class DockerfileTest {
  static final Path DOCKERFILE = Chart.ROOT.resolve("Dockerfile");

  /** One instruction: its keyword and its arguments (continuation lines joined). */
  record Instruction(String keyword, String args) {}

  static List<Instruction> instructions() throws IOException {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(DOCKERFILE)) {
      String t = line.strip();
      if (current.length() == 0 && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (t.endsWith("\\")) {
        current.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      current.append(t);
      String s = current.toString().strip();
      int sp = s.indexOf(' ');
      out.add(new Instruction(s.substring(0, sp).toUpperCase(), s.substring(sp + 1).strip()));
      current.setLength(0);
    }
    return out;
  }

  /** The instructions of each stage, by the stage's base image. */
  static List<List<Instruction>> stages() throws IOException {
    List<List<Instruction>> stages = new ArrayList<>();
    for (Instruction i : instructions()) {
      if (i.keyword().equals("FROM")) {
        stages.add(new ArrayList<>());
      }
      if (!stages.isEmpty()) {
        stages.get(stages.size() - 1).add(i);
      }
    }
    return stages;
  }

  static List<String> of(List<Instruction> stage, String keyword) {
    return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
  }

  @Test
  void aMultiStageBuildWithTheMavenWrapperThenASlimJre17() throws IOException {
    List<List<Instruction>> stages = stages();
    assertThat(stages).hasSize(2);
    List<Instruction> build = stages.get(0);
    List<Instruction> runtime = stages.get(1);
    assertThat(of(build, "FROM").get(0)).matches("eclipse-temurin:17-jdk(\\S*)? AS build");
    // the image's build stage only packages the jar: the tests run in CI (.ci/run), not in the
    // image build, which has no kubectl and no time budget for them
    assertThat(of(build, "RUN")).anyMatch(r -> r.contains("./mvnw -B -ntp package -DskipTests"));
    assertThat(of(runtime, "FROM").get(0)).isEqualTo("eclipse-temurin:17-jre");
    // only the jar is copied from the build
    assertThat(of(runtime, "COPY"))
        .containsExactly(
            "--from=build /src/operator/target/dpf-operator.jar /app/dpf-operator.jar");
    assertThat(of(runtime, "RUN")).as("nothing installed into the runtime image").isEmpty();
    // the jar is the shaded one the operator module builds
    Element shade =
        (Element)
            pom(Chart.ROOT.resolve("operator/pom.xml")).getElementsByTagName("outputFile").item(0);
    assertThat(shade.getTextContent()).isEqualTo("${project.build.directory}/dpf-operator.jar");
  }

  @Test
  void theEntrypointStartsTheJarWithContainerAwareJvmFlags() throws IOException {
    List<Instruction> runtime = stages().get(1);
    List<String> entry = jsonArray(of(runtime, "ENTRYPOINT").get(0));
    assertThat(entry.get(0)).isEqualTo("java");
    assertThat(entry).contains("-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError");
    assertThat(entry.subList(entry.size() - 2, entry.size()))
        .containsExactly("-jar", "/app/dpf-operator.jar");
    assertThat(of(runtime, "CMD")).as("the chart passes the flags as args").isEmpty();
    assertThat(of(runtime, "EXPOSE")).containsExactly("9443 8081");
  }

  @Test
  void theChartRunsAsTheImagesNumericNonRootUser() throws IOException {
    List<String> users = of(stages().get(1), "USER");
    assertThat(users).hasSize(1);
    Matcher m = Pattern.compile("(\\d+):(\\d+)").matcher(users.get(0));
    assertThat(m.matches()).as("USER uid:gid, numeric: %s", users.get(0)).isTrue();
    int uid = Integer.parseInt(m.group(1));
    int gid = Integer.parseInt(m.group(2));
    assertThat(uid).isPositive();
    Map<String, Object> values = Chart.parse(Files.readString(Chart.DIR.resolve("values.yaml")));
    assertThat((Object) at(values, "podSecurityContext", "runAsUser")).isEqualTo(uid);
    assertThat((Object) at(values, "podSecurityContext", "runAsGroup")).isEqualTo(gid);
    Map<String, Object> pod = at(Chart.render("").deployment(), "spec", "template", "spec");
    assertThat((Object) at(pod, "securityContext", "runAsUser")).isEqualTo(uid);
  }

  @Test
  void theChartPullsTheImageByItsTitleAtTheChartsAppVersionWhichIsTheProjectVersion()
      throws IOException {
    Map<String, String> labels = labels(stages().get(1));
    Map<String, Object> chart = Chart.parse(Files.readString(Chart.DIR.resolve("Chart.yaml")));
    Map<String, Object> values = Chart.parse(Files.readString(Chart.DIR.resolve("values.yaml")));
    String appVersion = (String) chart.get("appVersion");
    assertThat(labels).containsEntry("org.opencontainers.image.version", appVersion);
    assertThat((Object) at(values, "image", "repository"))
        .isEqualTo(labels.get("org.opencontainers.image.title"));
    assertThat((Object) at(values, "image", "tag")).as("empty: the appVersion").isEqualTo("");
    assertThat((Object) at(Chart.render("").container(), "image"))
        .isEqualTo(labels.get("org.opencontainers.image.title") + ":" + appVersion);
    String projectVersion =
        ((Element) pom(Chart.ROOT.resolve("pom.xml")).getElementsByTagName("version").item(0))
            .getTextContent();
    assertThat(projectVersion.replace("-SNAPSHOT", "")).isEqualTo(appVersion);
  }

  @Test
  void theBuildContextLeavesOutBuildOutputAndWhatTheImageDoesNotNeed() throws IOException {
    List<String> ignored =
        Files.readAllLines(Chart.ROOT.resolve(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(ignored).contains("**/target/", ".git/");
    // but keeps what the build stage copies
    for (String copied :
        List.of("mvnw", "pom.xml", ".mvn/", "operator/", "crds/", "dpf-algorithm/")) {
      assertThat(ignored).doesNotContain(copied);
    }
  }

  private static Map<String, String> labels(List<Instruction> stage) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("([\\w.\\-]+)=\"([^\"]*)\"").matcher(String.join(" ", of(stage, "LABEL")));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  private static List<String> jsonArray(String s) {
    assertThat(s).as("exec form").startsWith("[").endsWith("]");
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(s);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static org.w3c.dom.Document pom(Path p) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(p.toFile());
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + p, e);
    }
  }
}
