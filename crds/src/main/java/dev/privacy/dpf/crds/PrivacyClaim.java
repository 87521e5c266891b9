package dev.privacy.dpf.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A request for privacy budget on a set of blocks, applied next to the job that spends it. */
@Group(DpfApi.GROUP)
@Version(DpfApi.VERSION)
@Kind(DpfApi.KIND_CLAIM)
@Plural(DpfApi.PLURAL_CLAIMS)
@ShortNames(DpfApi.SHORT_CLAIM)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Blocks",
    jsonPath = ".status.blockCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Epsilon",
    jsonPath = ".status.epsilon",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Share",
    jsonPath = ".status.dominantShare",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.reason")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class PrivacyClaim extends CustomResource<PrivacyClaimSpec, PrivacyClaimStatus>
    implements Namespaced {}
