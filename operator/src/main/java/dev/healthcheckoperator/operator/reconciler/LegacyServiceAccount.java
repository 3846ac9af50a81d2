package dev.healthcheckoperator.operator.reconciler;

import java.util.Optional;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Earlier releases gave every HealthCheck a ServiceAccount {@code <name>-healthcheck} of its own; the sidecars now
 * run as the namespace's default account (they mount no token). After an upgrade such an account would stay until
 * its HealthCheck is deleted, so it is deleted here, once: when the sidecar Deployment still names it, that is, just
 * before the Deployment is moved to the default account.
 * <p>
 * Deleted before the Deployment is applied, not after: should the delete fail, the Deployment still names the
 * account and the retry tries again; once the Deployment no longer names it, nothing looks for it (and a HealthCheck
 * that never had one costs no request). An account of that name the HealthCheck does not control is left alone.
 */
final class LegacyServiceAccount {

    private static final Logger LOG = Logger.getLogger(LegacyServiceAccount.class);

    private LegacyServiceAccount() {
    }

    static void removeBeforeUpgrade(HealthCheck healthCheck, Context<HealthCheck> context) {
        String legacyName = SidecarNames.resourceName(healthCheck);
        Optional<String> named = context.getSecondaryResource(Deployment.class)
                .filter(deployment -> OwnedNames.controlledBy(deployment, healthCheck))
                .map(Deployment::getSpec).map(DeploymentSpec::getTemplate).map(PodTemplateSpec::getSpec)
                .map(PodSpec::getServiceAccountName)
                .filter(legacyName::equals);
        if (named.isEmpty()) {
            return;
        }
        String namespace = healthCheck.getMetadata().getNamespace();
        ServiceAccount account = context.getClient().serviceAccounts().inNamespace(namespace).withName(legacyName)
                .get();
        if (account != null && OwnedNames.controlledBy(account, healthCheck)) {
            context.getClient().resource(account).delete();
            LOG.infof("Deleted ServiceAccount %s/%s: the sidecars of HealthCheck %s now run as the default account",
                    namespace, legacyName, healthCheck.getMetadata().getName());
        }
    }
}
