package dev.healthcheckoperator.clustertests;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test against the shared {@link LocalCluster} with the packaged operator running. Unless the test says it may, an
 * exit of the operator while it runs fails it: the supervision that starts the operator again must not hide crashes.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
public @interface ClusterTest {

    /** True for tests that make the operator exit (kill it, or take its API server away). */
    boolean operatorMayExit() default false;
}
