package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.PrivateBlock;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Hands every block event to the {@link Scheduler}. JOSDK adds the block finalizer; the scheduler
 * removes it once no live claim holds budget on the block.
 */
@ControllerConfiguration(
    name = "privateblocks",
    finalizerName = DpfApi.FINALIZER_BLOCK,
    generationAwareEventProcessing = false)
final class BlockReconciler implements Reconciler<PrivateBlock>, Cleaner<PrivateBlock> {
  private final Scheduler scheduler;

  BlockReconciler(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public UpdateControl<PrivateBlock> reconcile(PrivateBlock block, Context<PrivateBlock> context) {
    scheduler.offer(block);
    return UpdateControl.noUpdate();
  }

  @Override
  public DeleteControl cleanup(PrivateBlock block, Context<PrivateBlock> context) {
    scheduler.offer(block);
    return DeleteControl.noFinalizerRemoval();
  }
}
