package dev.healthcheckoperator.sidecar.checks.probes;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/** Reads a response body, but never more than a limit: an upstream cannot make the sidecar buffer gigabytes. */
final class BoundedBody {

    static final class TooLargeException extends RuntimeException {
        TooLargeException(int limit) {
            super("response body larger than " + limit + " bytes");
        }
    }

    private BoundedBody() {
    }

    static Future<Buffer> read(HttpClientResponse response, int limit) {
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > limit) {
                if (promise.tryFail(new TooLargeException(limit))) {
                    response.request().reset();
                }
                return;
            }
            body.appendBuffer(chunk);
        });
        response.exceptionHandler(promise::tryFail);
        response.endHandler(v -> promise.tryComplete(body));
        return promise.future();
    }
}
