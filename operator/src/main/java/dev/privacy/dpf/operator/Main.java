package dev.privacy.dpf.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar operator.jar [--flag=value ...]}: the operator against the current kubeconfig;
 * {@code java -jar operator.jar demo} runs the demo ({@link dev.privacy.dpf.operator.demo.Demo}),
 * {@code java -jar operator.jar serve-api} the embedded API server on its own.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("serve-api")) { // the embedded API server on its own
      dev.privacy.dpf.operator.embedded.ServeApi.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("demo")) { // everything on one machine, with examples/
      dev.privacy.dpf.operator.demo.Demo.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (Arrays.asList(args).contains("--help")) {
      System.out.print(OperatorConfig.help());
      return;
    }
    OperatorConfig cfg;
    try {
      cfg = OperatorConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("dpf-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    DpfOperator op = new DpfOperator(client, cfg).start();
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  op.close();
                  client.close();
                  done.countDown();
                },
                "dpf-shutdown"));
    done.await();
  }
}
