package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.PrivacyClaim;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Hands every claim event to the {@link Scheduler}. JOSDK adds the claim finalizer before the first
 * reconcile, so a claim holds a finalizer before it can hold budget; the scheduler removes it once
 * the claim's grant is settled (consumed or released) on every block.
 */
@ControllerConfiguration(
    name = "privacyclaims",
    finalizerName = DpfApi.FINALIZER_CLAIM,
    generationAwareEventProcessing = false)
final class ClaimReconciler implements Reconciler<PrivacyClaim>, Cleaner<PrivacyClaim> {
  private final Scheduler scheduler;

  ClaimReconciler(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public UpdateControl<PrivacyClaim> reconcile(PrivacyClaim claim, Context<PrivacyClaim> context) {
    scheduler.offer(claim);
    return UpdateControl.noUpdate();
  }

  @Override
  public DeleteControl cleanup(PrivacyClaim claim, Context<PrivacyClaim> context) {
    scheduler.offer(claim);
    return DeleteControl.noFinalizerRemoval();
  }
}
