package dev.privacy.dpf.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code kubectl} binary, run as a process with {@code KUBECONFIG} set (and a discovery
 * cache of its own), each call bounded in time. The binary is {@code $KUBECTL}, else {@code
 * kubectl} on the PATH.
 */
final class Kubectl {
  /** The output of one kubectl run. */
  record Result(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private final Path kubeconfig;
  private final Path cacheDir;

  Kubectl(Path kubeconfig, Path cacheDir) {
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
  }

  static String binary() {
    String b = System.getenv("KUBECTL");
    return b == null || b.isEmpty() ? "kubectl" : b;
  }

  /**
   * Fails with the way to install kubectl when it cannot be run (the tests drive the cluster with
   * nothing else).
   */
  static void require() {
    String why;
    try {
      Process p =
          new ProcessBuilder(binary(), "version", "--client", "-o", "json")
              .redirectErrorStream(true)
              .start();
      boolean done = p.waitFor(30, TimeUnit.SECONDS);
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (done && p.exitValue() == 0) {
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("\"minor\"\\s*:\\s*\"(\\d+)").matcher(out);
        if (m.find() && Integer.parseInt(m.group(1)) < 23) {
          throw new AssertionError(
              "kubectl 1."
                  + m.group(1)
                  + " ("
                  + binary()
                  + ") is too old for the e2e tests, which use kubectl wait --for=jsonpath"
                  + " (1.23+; tested with 1.27 to 1.33). Debian bookworm's kubernetes-client is"
                  + " 1.20: install a newer kubectl (https://kubernetes.io/docs/tasks/tools/) and"
                  + " put it on the PATH or in KUBECTL.");
        }
        return;
      }
      if (!done) {
        p.destroyForcibly();
      }
      why = done ? "exit " + p.exitValue() + ": " + out.trim() : "no answer in 30 s";
    } catch (IOException e) {
      why = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      why = "interrupted";
    }
    throw new AssertionError(
        "the e2e tests drive the cluster with the real kubectl, which cannot be run ("
            + binary()
            + ": "
            + why
            + "). Install kubectl 1.23 or newer: apt-get install -y kubectl (from the Kubernetes"
            + " or Google Cloud apt repository; Debian's own kubernetes-client package is 1.20,"
            + " too old), or see https://kubernetes.io/docs/tasks/tools/; or point KUBECTL at"
            + " the binary.");
  }

  /** Runs {@code kubectl args...} (at most {@code timeoutSeconds}); never throws on a failure. */
  Result run(int timeoutSeconds, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary());
    cmd.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(cacheDir, "out", ".txt");
      Path err = Files.createTempFile(cacheDir, "err", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      pb.environment().put("KUBECACHEDIR", cacheDir.resolve("cache").toString());
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "kubectl " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
      }
      Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new AssertionError("cannot run kubectl: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Runs kubectl (60 s at most) and returns its standard output; fails unless it exited 0. */
  String ok(String... args) {
    Result r = run(60, args);
    if (r.exit() != 0) {
      throw new AssertionError(
          "kubectl " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.all());
    }
    return r.out();
  }
}
