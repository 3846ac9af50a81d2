import java.lang.instrument.Instrumentation;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Java agent for the sidecar's test-hooks image only (hack/images/build-test-hook-image.sh): some seconds after
 * the JVM starts, two threads take two locks in opposite order and deadlock, as a bug inside the sidecar would. The
 * sidecar's liveness must then fail and the kubelet restart the container; nothing of this ships in a released image.
 * <p>
 * HC_TEST_HOOK_DEADLOCK_AFTER_SECONDS: when (default 20 s, after the startup probe has passed).
 */
public final class DeadlockHook {

    private DeadlockHook() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        long afterSeconds = Long.parseLong(System.getenv().getOrDefault("HC_TEST_HOOK_DEADLOCK_AFTER_SECONDS", "20"));
        Thread starter = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(afterSeconds);
            } catch (InterruptedException e) {
                return;
            }
            Object first = new Object();
            Object second = new Object();
            // Both threads hold their first lock before either asks for its second: a certain deadlock.
            CountDownLatch bothHoldOne = new CountDownLatch(2);
            lockInOrder("test-hook-deadlock-a", first, second, bothHoldOne);
            lockInOrder("test-hook-deadlock-b", second, first, bothHoldOne);
            System.err.println("test hook: two threads deadlocked on purpose");
        }, "test-hook-deadlock-starter");
        starter.setDaemon(true);
        starter.start();
    }

    private static void lockInOrder(String name, Object outer, Object inner, CountDownLatch bothHoldOne) {
        Thread thread = new Thread(() -> {
            synchronized (outer) {
                bothHoldOne.countDown();
                try {
                    bothHoldOne.await();
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (inner) {
                    System.err.println("test hook: " + name + " was not deadlocked");
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }
}
