package dev.healthcheckoperator.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The API server's own verdict on deploy/rbac.yaml: what the operator needs is allowed, the rest is not. (The
 * operator tests run under this ServiceAccount too, which shows the allowed part is enough.)
 */
class RbacTest {

    private static final String OPERATOR = "system:serviceaccount:healthcheck-operator:healthcheck-operator";
    private static KubernetesClient admin;

    @BeforeAll
    static void installRbac() {
        admin = ControlPlane.admin();
        ControlPlane.applyDeployManifest(admin, "namespace.yaml");
        ControlPlane.applyDeployManifest(admin, "service-account.yaml");
        ControlPlane.applyDeployManifest(admin, "rbac.yaml");
    }

    @ParameterizedTest(name = "{0} {1}.{2} in {3}: {4}")
    @CsvSource({
            "watch, healthcheck-operator.dev, healthchecks, shop, true",
            "patch, healthcheck-operator.dev, healthchecks/status, shop, true",
            "create, healthcheck-operator.dev, healthchecks, shop, false",
            "delete, healthcheck-operator.dev, healthchecks, shop, false",
            "update, healthcheck-operator.dev, healthchecks/finalizers, shop, false",
            "patch, apps, deployments, shop, true",
            "delete, apps, deployments, shop, false",
            // The checks file is in the pod template; only an earlier release's ConfigMaps are deleted.
            "create, '', configmaps, shop, false",
            "watch, '', configmaps, shop, false",
            "list, '', configmaps, shop, true",
            "delete, '', configmaps, shop, true",
            "delete, '', services, shop, false",
            "watch, networking.k8s.io, networkpolicies, shop, true",
            "delete, networking.k8s.io, networkpolicies, shop, true",
            "delete, networking.k8s.io, ingresses, shop, false",
            // Sidecars run as the default account; only an earlier release's own account is deleted.
            "get, '', serviceaccounts, shop, true",
            "delete, '', serviceaccounts, shop, true",
            "create, '', serviceaccounts, shop, false",
            "patch, '', serviceaccounts, shop, false",
            "list, '', serviceaccounts, shop, false",
            "watch, '', serviceaccounts, shop, false",
            "create, events.k8s.io, events, shop, true",
            "patch, events.k8s.io, events, shop, true",
            "delete, events.k8s.io, events, shop, false",
            "create, '', events, shop, false",
            "get, '', secrets, shop, true",
            "list, '', secrets, shop, false",
            "watch, '', secrets, shop, false",
            "list, '', secrets, '', false",
            "create, '', secrets, shop, false",
            "update, '', secrets, shop, false",
            "patch, '', secrets, shop, false",
            "delete, '', secrets, shop, false",
            "list, '', pods, shop, true",
            "watch, '', pods, shop, true",
            "get, '', pods, shop, false",
            "update, '', pods, shop, false",
            "get, '', pods/log, shop, false",
            "create, '', pods/exec, shop, false",
            "get, apiextensions.k8s.io, customresourcedefinitions, '', false",
            "update, coordination.k8s.io, leases, healthcheck-operator, true",
            "patch, coordination.k8s.io, leases, healthcheck-operator, true",
            "delete, coordination.k8s.io, leases, healthcheck-operator, false",
            "update, coordination.k8s.io, leases, shop, false",
            "create, rbac.authorization.k8s.io, rolebindings, shop, false",
            // The status page: who a token is, and what that user may do; nothing else of either group.
            "create, authentication.k8s.io, tokenreviews, '', true",
            "create, authorization.k8s.io, subjectaccessreviews, '', true",
            "create, authorization.k8s.io, localsubjectaccessreviews, shop, false",
            "list, authorization.k8s.io, subjectaccessreviews, '', false",
            "create, authentication.k8s.io, tokenrequests, '', false",
            "create, '', serviceaccounts/token, shop, false"
    })
    void onlyWhatTheOperatorNeedsIsAllowed(String verb, String group, String resource, String namespace,
            boolean allowed) {
        String[] parts = resource.split("/");
        SubjectAccessReview review = admin.authorization().v1().subjectAccessReview()
                .create(new SubjectAccessReviewBuilder().withNewSpec()
                        .withUser(OPERATOR)
                        .withGroups(List.of("system:serviceaccounts", "system:serviceaccounts:healthcheck-operator",
                                "system:authenticated"))
                        .withNewResourceAttributes()
                        .withVerb(verb)
                        .withGroup(group)
                        .withResource(parts[0])
                        .withSubresource(parts.length > 1 ? parts[1] : null)
                        .withNamespace(namespace.isEmpty() ? null : namespace)
                        .endResourceAttributes()
                        .endSpec().build());
        assertEquals(allowed, review.getStatus().getAllowed(), review.getStatus().toString());
    }
}
