package dev.healthcheckoperator.sidecar.endpoints;

/** The public port's routes: the only values of the {@code route} label. */
enum Route {
    HEALTH("/health"),
    LIVE("/health/live"),
    READY("/health/ready"),
    STARTED("/health/started"),
    METRICS("/metrics"),
    OTHER("other");

    final String path;

    Route(String path) {
        this.path = path;
    }

    static Route of(String path) {
        if (path == null) {
            return OTHER;
        }
        return switch (path) {
            case "/health" -> HEALTH;
            case "/health/live" -> LIVE;
            case "/health/ready" -> READY;
            case "/health/started" -> STARTED;
            case "/metrics" -> METRICS;
            default -> OTHER;
        };
    }
}
