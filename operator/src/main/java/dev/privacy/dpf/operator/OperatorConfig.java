package dev.privacy.dpf.operator;

import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Orders;
import dev.privacy.dpf.crds.Accounting;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.validation.Durations;
import dev.privacy.dpf.crds.validation.ResourceValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's settings, from {@code --flag=value} arguments or {@code DPF_FLAG} environment
 * variables (a flag wins over the environment). Every setting is listed in docs/operations.md.
 *
 * @param policy {@code dpf-n}, {@code dpf-t} or {@code fcfs}
 * @param n DPF-N: a block unlocks {@code 1/n} of its budget per arriving claim
 * @param lifetime DPF-T: a block unlocks its budget linearly over this time
 * @param defaultTimeout how long a claim without {@code spec.timeout} may wait
 * @param orders the Rényi orders
 * @param conversion how a block's (epsilon, delta) becomes a capacity per order
 * @param defaultAccounting the accounting of a block that does not say
 * @param namespaces the namespaces watched; empty for all
 * @param leaderElection whether to elect a leader with a Lease (one active scheduler)
 * @param leaseName the Lease's name
 * @param leaseNamespace the Lease's namespace
 * @param identity this instance's identity in the Lease
 * @param healthPort the port of {@code /healthz} and {@code /readyz}; 0 picks one, -1 none
 * @param writeThreads how many API writes run in parallel
 * @param resyncPeriod how often the pass runs without events (timeouts, DPF-T unlocking)
 * @param serverSideApply whether JOSDK patches with server-side apply (off for API servers without
 *     it)
 * @param events whether claims' phase changes are also reported as Kubernetes Events
 * @param webhookPort the HTTPS port of the admission webhooks; -1 for none
 * @param webhookCertDir a directory holding {@code tls.crt} and {@code tls.key} (a mounted
 *     cert-manager secret); empty: the operator keeps its own CA in {@code webhookSecret}
 * @param webhookSecret the Secret that holds the operator's own CA and serving certificate
 * @param webhookService the Service in front of the webhooks (the certificate's DNS names)
 * @param webhookNamespace the operator's namespace (of the Secret and the Service)
 * @param webhookConfigurations the webhook configurations whose {@code caBundle} the operator keeps
 *     (own CA only); empty for none
 * @param webhookHosts more names or IP addresses for the serving certificate
 * @param gpuResources the resource names that count as GPUs in enforced namespaces
 * @param protectedNodeLabel the node label ({@code key} or {@code key=value}) of protected nodes
 * @param deniedPods what happens to a pod whose claim is denied: {@code keep} (gated) or {@code
 *     delete}
 */
public record OperatorConfig(
    String policy,
    int n,
    Duration lifetime,
    Duration defaultTimeout,
    Orders orders,
    Conversion conversion,
    Accounting defaultAccounting,
    Set<String> namespaces,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    String identity,
    int healthPort,
    int writeThreads,
    Duration resyncPeriod,
    boolean serverSideApply,
    boolean events,
    int webhookPort,
    String webhookCertDir,
    String webhookSecret,
    String webhookService,
    String webhookNamespace,
    List<String> webhookConfigurations,
    List<String> webhookHosts,
    List<String> gpuResources,
    String protectedNodeLabel,
    String deniedPods) {

  /** The flags, their defaults and what they mean (printed by {@code --help}). */
  static final Map<String, String[]> FLAGS = new LinkedHashMap<>();

  static {
    flag("policy", "dpf-n", "scheduling policy: dpf-n, dpf-t or fcfs");
    flag("n", "10", "DPF-N: claims per block budget (each arrival unlocks 1/N)");
    flag("lifetime", "24h", "DPF-T: time over which a block's budget unlocks");
    flag("default-timeout", "1h", "how long a claim may wait when spec.timeout is not set");
    flag("orders", "1.5,1.75,2,2.5,3,4,5,6,8,16,32,64", "Renyi orders, increasing, all > 1");
    flag("conversion", "tight", "RDP to (epsilon, delta) conversion: tight or classic");
    flag("default-accounting", "Renyi", "accounting of blocks that do not say: Renyi or Basic");
    flag("namespaces", "", "comma-separated namespaces to watch; empty for all");
    flag("leader-election", "false", "elect one active scheduler with a Lease");
    flag("lease-name", "dpf-operator", "name of the Lease");
    flag("lease-namespace", "default", "namespace of the Lease");
    flag("identity", "", "identity in the Lease (default: host name and process id)");
    flag("health-port", "8081", "port of /healthz and /readyz (0: any free port, -1: none)");
    flag("write-threads", "8", "API writes run in parallel");
    flag("resync-period", "5s", "pass period without events (timeouts, DPF-T)");
    flag("server-side-apply", "false", "let JOSDK patch with server-side apply");
    flag("events", "true", "report claims' phase changes as Kubernetes Events too");
    flag("webhook-port", "9443", "HTTPS port of the admission webhooks (-1: none)");
    flag(
        "webhook-cert-dir",
        "",
        "directory with tls.crt and tls.key (cert-manager); empty: the operator's own CA");
    flag(
        "webhook-secret",
        "dpf-operator-webhook-tls",
        "Secret that keeps the operator's own CA and serving certificate");
    flag("webhook-service", "dpf-operator-webhook", "Service in front of the webhooks");
    flag("webhook-namespace", "default", "the operator's namespace (Secret and Service)");
    flag(
        "webhook-configurations",
        "dpf-operator",
        "webhook configurations whose caBundle the operator keeps (own CA); empty: none");
    flag("webhook-hosts", "", "more DNS names or IPs for the serving certificate");
    flag(
        "gpu-resources",
        "nvidia.com/gpu,amd.com/gpu",
        "resources that need a claim in enforced namespaces");
    flag(
        "protected-node-label",
        DpfApi.GROUP + "/protected",
        "label (key or key=value) of nodes that need a claim; empty: none");
    flag("denied-pods", "keep", "pods of denied claims: keep (gated) or delete");
  }

  private static void flag(String name, String def, String help) {
    FLAGS.put(name, new String[] {def, help});
  }

  /**
   * Every flag with its default, in the order of {@code --help}: what a deployment (the Helm chart
   * and its tests) must set.
   */
  public static Map<String, String> flagDefaults() {
    Map<String, String> d = new LinkedHashMap<>();
    FLAGS.forEach((k, v) -> d.put(k, v[0]));
    return java.util.Collections.unmodifiableMap(d);
  }

  public OperatorConfig {
    if (!Set.of("dpf-n", "dpf-t", "fcfs").contains(policy)) {
      throw new IllegalArgumentException(
          "--policy must be dpf-n, dpf-t or fcfs, got \"" + policy + "\"");
    }
    if (n < 1) {
      throw new IllegalArgumentException("--n must be >= 1, got " + n);
    }
    positive("--lifetime", lifetime);
    positive("--default-timeout", defaultTimeout);
    positive("--resync-period", resyncPeriod);
    if (writeThreads < 1) {
      throw new IllegalArgumentException("--write-threads must be >= 1, got " + writeThreads);
    }
    namespaces = Set.copyOf(namespaces);
    if (webhookPort < -1 || webhookPort > 65535) {
      throw new IllegalArgumentException(
          "--webhook-port must be a port (0-65535) or -1, got " + webhookPort);
    }
    if (!Set.of("keep", "delete").contains(deniedPods)) {
      throw new IllegalArgumentException(
          "--denied-pods must be keep or delete, got \"" + deniedPods + "\"");
    }
    if (!protectedNodeLabel.isEmpty() && !NODE_LABEL.matcher(protectedNodeLabel).matches()) {
      throw new IllegalArgumentException(
          "--protected-node-label must be a label key or key=value, got \""
              + protectedNodeLabel
              + "\"");
    }
    webhookConfigurations = List.copyOf(webhookConfigurations);
    webhookHosts = List.copyOf(webhookHosts);
    gpuResources = List.copyOf(gpuResources);
  }

  private static final java.util.regex.Pattern NODE_LABEL =
      java.util.regex.Pattern.compile(
          "([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
              + "(=([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?)?");

  private static void positive(String flag, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(flag + " must be a positive duration, got " + d);
    }
  }

  /** The defaults. */
  public static OperatorConfig defaults() {
    return parse(new String[0], Map.of());
  }

  /** This configuration with one flag set to another value (parsed and checked like a flag). */
  public OperatorConfig with(String flag, String value) {
    Map<String, String> env = new LinkedHashMap<>();
    flags().forEach((k, v) -> env.put("DPF_" + k.toUpperCase(Locale.ROOT).replace('-', '_'), v));
    return parse(new String[] {"--" + flag + "=" + value}, env);
  }

  /** The flags that give this configuration. */
  public Map<String, String> flags() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("policy", policy);
    f.put("n", Integer.toString(n));
    f.put("lifetime", lifetime.toMillis() + "ms");
    f.put("default-timeout", defaultTimeout.toMillis() + "ms");
    StringBuilder o = new StringBuilder();
    for (int i = 0; i < orders.size(); i++) {
      o.append(i == 0 ? "" : ",").append(orders.alpha(i));
    }
    f.put("orders", o.toString());
    f.put("conversion", conversion.name().toLowerCase(Locale.ROOT));
    f.put("default-accounting", defaultAccounting.name());
    f.put("namespaces", String.join(",", new TreeSet<>(namespaces)));
    f.put("leader-election", Boolean.toString(leaderElection));
    f.put("lease-name", leaseName);
    f.put("lease-namespace", leaseNamespace);
    f.put("identity", identity);
    f.put("health-port", Integer.toString(healthPort));
    f.put("write-threads", Integer.toString(writeThreads));
    f.put("resync-period", resyncPeriod.toMillis() + "ms");
    f.put("server-side-apply", Boolean.toString(serverSideApply));
    f.put("events", Boolean.toString(events));
    f.put("webhook-port", Integer.toString(webhookPort));
    f.put("webhook-cert-dir", webhookCertDir);
    f.put("webhook-secret", webhookSecret);
    f.put("webhook-service", webhookService);
    f.put("webhook-namespace", webhookNamespace);
    f.put("webhook-configurations", String.join(",", webhookConfigurations));
    f.put("webhook-hosts", String.join(",", webhookHosts));
    f.put("gpu-resources", String.join(",", gpuResources));
    f.put("protected-node-label", protectedNodeLabel);
    f.put("denied-pods", deniedPods);
    return f;
  }

  /** This configuration with another policy. */
  public OperatorConfig withPolicy(String p) {
    return with("policy", p);
  }

  /** This configuration with another N. */
  public OperatorConfig withN(int value) {
    return with("n", Integer.toString(value));
  }

  /** This configuration with leader election on, under {@code id}, in {@code namespace}. */
  public OperatorConfig withLeaderElection(String id, String namespace) {
    return with("leader-election", "true").with("identity", id).with("lease-namespace", namespace);
  }

  /** This configuration with another health port. */
  public OperatorConfig withHealthPort(int port) {
    return with("health-port", Integer.toString(port));
  }

  /** This configuration with another default timeout. */
  public OperatorConfig withDefaultTimeout(Duration d) {
    return with("default-timeout", d.toMillis() + "ms");
  }

  /** This configuration with another lifetime (DPF-T). */
  public OperatorConfig withLifetime(Duration d) {
    return with("lifetime", d.toMillis() + "ms");
  }

  /** This configuration with another resync period. */
  public OperatorConfig withResyncPeriod(Duration d) {
    return with("resync-period", d.toMillis() + "ms");
  }

  /** This configuration with Events on or off. */
  public OperatorConfig withEvents(boolean on) {
    return with("events", Boolean.toString(on));
  }

  /** The validator's settings. */
  public ResourceValidator.Settings validatorSettings() {
    return new ResourceValidator.Settings(orders, defaultAccounting, conversion);
  }

  /**
   * Reads {@code --name=value} flags, falling back to {@code DPF_NAME} variables of {@code env},
   * then to the defaults.
   *
   * @throws IllegalArgumentException naming the flag and the value when one is wrong
   */
  public static OperatorConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> v = new LinkedHashMap<>();
    FLAGS.forEach((k, d) -> v.put(k, d[0]));
    FLAGS
        .keySet()
        .forEach(
            k -> {
              String e = env.get("DPF_" + k.toUpperCase(Locale.ROOT).replace('-', '_'));
              if (e != null) {
                v.put(k, e);
              }
            });
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("expected --flag=value, got \"" + a + "\"");
      }
      String k = a.substring(2, a.indexOf('='));
      if (!FLAGS.containsKey(k)) {
        throw new IllegalArgumentException("unknown flag --" + k + " (see --help)");
      }
      v.put(k, a.substring(a.indexOf('=') + 1));
    }
    String identity = v.get("identity");
    if (identity.isBlank()) {
      identity = ProcessHandle.current().pid() + "@" + hostName();
    }
    Set<String> ns = new TreeSet<>(list(v.get("namespaces")));
    return new OperatorConfig(
        v.get("policy"),
        integer("n", v.get("n")),
        duration("lifetime", v.get("lifetime")),
        duration("default-timeout", v.get("default-timeout")),
        orders(v.get("orders")),
        conversion(v.get("conversion")),
        accounting(v.get("default-accounting")),
        ns,
        bool("leader-election", v.get("leader-election")),
        v.get("lease-name"),
        v.get("lease-namespace"),
        identity,
        integer("health-port", v.get("health-port")),
        integer("write-threads", v.get("write-threads")),
        duration("resync-period", v.get("resync-period")),
        bool("server-side-apply", v.get("server-side-apply")),
        bool("events", v.get("events")),
        integer("webhook-port", v.get("webhook-port")),
        v.get("webhook-cert-dir").trim(),
        v.get("webhook-secret").trim(),
        v.get("webhook-service").trim(),
        v.get("webhook-namespace").trim(),
        list(v.get("webhook-configurations")),
        list(v.get("webhook-hosts")),
        list(v.get("gpu-resources")),
        v.get("protected-node-label").trim(),
        v.get("denied-pods").trim());
  }

  /** A comma-separated list, without blanks. */
  private static List<String> list(String s) {
    List<String> out = new ArrayList<>();
    for (String p : s.split(",")) {
      if (!p.isBlank()) {
        out.add(p.trim());
      }
    }
    return out;
  }

  /** The text of {@code --help}. */
  public static String help() {
    StringBuilder b = new StringBuilder("Flags (or DPF_<FLAG> environment variables):\n");
    FLAGS.forEach(
        (k, d) -> b.append(String.format("  --%-20s %s (default: %s)%n", k + "=...", d[1], d[0])));
    return b.toString();
  }

  private static String hostName() {
    String h = System.getenv("HOSTNAME");
    return h == null || h.isBlank() ? "localhost" : h;
  }

  private static int integer(String flag, String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + flag + " must be an integer, got \"" + s + "\"");
    }
  }

  private static boolean bool(String flag, String s) {
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("--" + flag + " must be true or false, got \"" + s + "\"");
  }

  private static Duration duration(String flag, String s) {
    try {
      return Durations.parse(s.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--" + flag + " must be a duration such as 30s, 5m or 24h, got \"" + s + "\"");
    }
  }

  private static Orders orders(String s) {
    List<Double> list = new ArrayList<>();
    for (String p : s.split(",")) {
      try {
        list.add(Double.parseDouble(p.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--orders must be comma-separated numbers, got \"" + p.trim() + "\" in \"" + s + "\"");
      }
    }
    try {
      return Orders.of(list.stream().mapToDouble(Double::doubleValue).toArray());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--orders=" + s + ": " + e.getMessage());
    }
  }

  private static Conversion conversion(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "tight" -> Conversion.TIGHT;
      case "classic" -> Conversion.CLASSIC;
      default ->
          throw new IllegalArgumentException(
              "--conversion must be tight or classic, got \"" + s + "\"");
    };
  }

  private static Accounting accounting(String s) {
    return Arrays.stream(Accounting.values())
        .filter(a -> a.name().equalsIgnoreCase(s.trim()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "--default-accounting must be Renyi or Basic, got \"" + s + "\""));
  }
}
