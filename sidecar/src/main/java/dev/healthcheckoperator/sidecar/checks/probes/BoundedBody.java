package dev.healthcheckoperator.sidecar.checks.probes;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;

/**
 * Reads a response body, but never more than a limit: an upstream cannot make the sidecar buffer gigabytes.
 * An announced length over the limit is refused before a byte is read; either way the request is reset, which
 * closes its connection, instead of draining what is left.
 */
final class BoundedBody {

    static final class TooLargeException extends RuntimeException {
        TooLargeException(int limit) {
            super("response body larger than " + limit + " bytes");
        }
    }

    private BoundedBody() {
    }

    static Future<Buffer> read(HttpClientResponse response, int limit) {
        long announced = contentLength(response);
        if (announced > limit) {
            response.request().reset();
            return Future.failedFuture(new TooLargeException(limit));
        }
        Promise<Buffer> promise = Promise.promise();
        // Sized once from the announced length: chunks are copied into it once, and it never grows past the limit.
        Buffer body = Buffer.buffer(announced >= 0 ? (int) announced : Math.min(limit, 8192));
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

    /** The announced body length, or -1 when there is none (chunked, or until the connection closes). */
    static long contentLength(HttpClientResponse response) {
        String header = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
