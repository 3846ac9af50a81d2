package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.DnsAction;
import dev.healthcheckoperator.sidecar.checks.spec.DnsAction.RecordType;
import dev.healthcheckoperator.sidecar.checks.spec.DnsActionRules;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.HostAndPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code dns}: one UDP query of the check's type to its server (or the pod's first resolver), judged on the
 * answer code and, with {@code expectedValues}, on the records.
 *
 * <p>Each probe has its own UDP socket, connected to the server, so that only the server's datagrams reach it,
 * and only the one whose ID is the query's is read. The deadline closes the socket, which withdraws the query: a
 * server that never answers costs one DnsFailure at the deadline and nothing after it. An answer is read into a
 * buffer of {@value #MAX_ANSWER_BYTES} bytes (the kernel cuts a longer datagram, which then fails to decode) and
 * at most {@value #MAX_RECORDS} records are looked at. There is no TCP fallback: a truncated answer (TC) is a
 * DnsFailure, not judged on its part.
 */
public final class DnsProbe implements Probe {

    static final int MAX_ANSWER_BYTES = 4096;
    static final int MAX_RECORDS = 64;
    /** Shown at most in a message; the rest is counted. */
    private static final int SHOWN_VALUES = 8;
    private static final int MAX_RESOLV_CONF_BYTES = 64 * 1024;
    private static final Map<RecordType, DnsRecordType> WIRE_TYPES = Map.of(RecordType.A, DnsRecordType.A,
            RecordType.AAAA, DnsRecordType.AAAA, RecordType.CNAME, DnsRecordType.CNAME, RecordType.SRV,
            DnsRecordType.SRV, RecordType.TXT, DnsRecordType.TXT, RecordType.MX, DnsRecordType.MX);

    private final VertxInternal vertx;
    private final DnsAction action;
    private final RecordType type;
    private final List<String> expected;
    private final Path resolvConf;

    public DnsProbe(Vertx vertx, DnsAction action) {
        this(vertx, action, Path.of("/etc/resolv.conf"));
    }

    /** With the resolv.conf whose first nameserver is the default server. */
    DnsProbe(Vertx vertx, DnsAction action, Path resolvConf) {
        this.vertx = (VertxInternal) vertx;
        this.action = action;
        this.type = action.type();
        this.expected = action.expectedValuesOrEmpty().stream().map(v -> DnsActionRules.normalize(type, v)).toList();
        this.resolvConf = resolvConf;
    }

    @Override
    public Future<ProbeOutcome> run(ProbeDeadline deadline) {
        deadline.timeoutReason(FailureReason.DnsFailure);
        ContextInternal context = vertx.getOrCreateContext();
        return server(context, deadline)
                .compose(server -> query(context, server, deadline))
                .otherwise(ProbeOutcome::fromError);
    }

    private Future<InetSocketAddress> server(ContextInternal context, ProbeDeadline deadline) {
        if (action.server() == null) {
            try {
                return Future.succeededFuture(firstNameserver(resolvConf));
            } catch (IOException e) {
                return Future.failedFuture(new UnknownHostException("no nameserver to ask: " + e.getMessage()
                        + "; set server"));
            }
        }
        HostAndPort server = DnsActionRules.server(action.server());
        deadline.phase("resolving the server " + server.host());
        Promise<InetAddress> resolved = context.promise();
        vertx.resolveAddress(server.host(), resolved);
        return resolved.future().map(address -> new InetSocketAddress(address, server.port()));
    }

    /** The first {@code nameserver} line, as the C library's resolver asks it first. */
    static InetSocketAddress firstNameserver(Path resolvConf) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(resolvConf)) {
            bytes = in.readNBytes(MAX_RESOLV_CONF_BYTES);
        }
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                String address = words[1];
                int zone = address.indexOf('%');
                return new InetSocketAddress(InetAddress.getByName(zone < 0 ? address : address.substring(0, zone)),
                        DnsActionRules.DEFAULT_DNS_PORT);
            }
        }
        throw new IOException(resolvConf + " names no nameserver");
    }

    private Future<ProbeOutcome> query(ContextInternal context, InetSocketAddress server, ProbeDeadline deadline) {
        String question = type + " " + action.name();
        String at = display(server);
        Promise<ProbeOutcome> outcome = context.promise();
        if (deadline.cancelled()) {
            return Future.succeededFuture(ProbeOutcome.failure(FailureReason.DnsFailure, "resolved after the deadline"));
        }
        deadline.phase("query timed out: no answer from " + at + " to " + question);
        DatagramChannel channel = vertx.transport().datagramChannel(server.getAddress() instanceof Inet6Address
                ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4);
        channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_ANSWER_BYTES));
        channel.config().setMaxMessagesPerRead(1);
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        channel.pipeline().addLast(new DatagramDnsQueryEncoder(), new DatagramDnsResponseDecoder(new StrictRecordDecoder()),
                new SimpleChannelInboundHandler<DnsResponse>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DnsResponse response) {
                        if (response.id() != id) {
                            return; // a late answer to an earlier query, or a forgery: the query's own answer decides
                        }
                        outcome.tryComplete(judge(response, question, at));
                        ctx.close();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        outcome.tryComplete(failure(cause, at));
                        ctx.close();
                    }
                });
        deadline.onCancel(channel::close);
        context.nettyEventLoop().register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                outcome.tryFail(registered.cause());
                return;
            }
            channel.connect(server).addListener(connected -> {
                if (!connected.isSuccess()) {
                    outcome.tryComplete(failure(connected.cause(), at));
                    channel.close();
                    return;
                }
                DatagramDnsQuery query = new DatagramDnsQuery(null, server, id);
                query.setRecursionDesired(true);
                query.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(action.name(), WIRE_TYPES.get(type)));
                channel.writeAndFlush(query).addListener(sent -> {
                    if (!sent.isSuccess()) {
                        outcome.tryComplete(failure(sent.cause(), at));
                        channel.close();
                    }
                });
            });
        });
        return outcome.future().onComplete(done -> channel.close());
    }

    private static ProbeOutcome failure(Throwable cause, String at) {
        if (cause instanceof PortUnreachableException) {
            return ProbeOutcome.failure(FailureReason.DnsFailure, "no DNS server listens at " + at
                    + " (port unreachable)");
        }
        if (cause instanceof io.netty.handler.codec.DecoderException || cause instanceof IndexOutOfBoundsException) {
            return ProbeOutcome.failure(FailureReason.DnsFailure, "malformed answer from " + at + ": "
                    + rootMessage(cause));
        }
        ProbeOutcome classified = ProbeOutcome.fromError(cause);
        return classified.reason() == FailureReason.ProbeError
                ? ProbeOutcome.failure(FailureReason.DnsFailure, "query to " + at + " failed: " + rootMessage(cause))
                : classified;
    }

    private ProbeOutcome judge(DnsResponse response, String question, String at) {
        if (response.isTruncated()) {
            return ProbeOutcome.failure(FailureReason.DnsFailure, "truncated answer (TC) from " + at + " to "
                    + question + "; answers that need TCP are not supported");
        }
        int code = response.code().intValue();
        if (code != DnsResponseCode.NOERROR.intValue()) {
            return ProbeOutcome.failure(FailureReason.DnsFailure, rcode(code) + " (" + question + " at " + at + ")");
        }
        List<String> answers;
        try {
            answers = answers(response);
        } catch (RuntimeException e) {
            return ProbeOutcome.failure(FailureReason.DnsFailure, "malformed " + type + " record from " + at + ": "
                    + rootMessage(e));
        }
        return compare(answers, question);
    }

    /** The records of the asked type in the answer section (a CNAME chain's own records are skipped), sorted. */
    private List<String> answers(DnsResponse response) {
        int count = Math.min(response.count(DnsSection.ANSWER), MAX_RECORDS);
        TreeSet<String> values = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
            if (record.type().equals(WIRE_TYPES.get(type)) && record instanceof DnsRawRecord raw) {
                values.add(decode(raw.content().duplicate()));
            }
        }
        return List.copyOf(values);
    }

    private String decode(ByteBuf data) {
        switch (type) {
            case A:
            case AAAA:
                byte[] address = new byte[data.readableBytes()];
                data.readBytes(address);
                if (address.length != (type == RecordType.A ? 4 : 16)) {
                    throw new IllegalArgumentException(address.length + " address bytes");
                }
                try {
                    return InetAddress.getByAddress(address).getHostAddress();
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            case CNAME:
                return answerName(data);
            case MX:
                return data.readUnsignedShort() + " " + answerName(data);
            case SRV:
                return data.readUnsignedShort() + " " + data.readUnsignedShort() + " " + data.readUnsignedShort() + " "
                        + answerName(data);
            default:
                StringBuilder text = new StringBuilder();
                while (data.isReadable()) {
                    int length = data.readUnsignedByte();
                    text.append(data.readCharSequence(length, StandardCharsets.UTF_8));
                }
                return text.toString();
        }
    }

    private static String answerName(ByteBuf data) {
        String name = DefaultDnsRecordDecoder.decodeName(data).toLowerCase(Locale.ROOT);
        return name.length() > 1 && name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private ProbeOutcome compare(List<String> answers, String question) {
        if (answers.isEmpty()) {
            return ProbeOutcome.failure(FailureReason.UnexpectedAnswer, "no " + type + " record for "
                    + action.name());
        }
        if (expected.isEmpty()) {
            return ProbeOutcome.success(question + ": " + shown(answers));
        }
        List<String> missing = expected.stream().filter(value -> !answers.contains(value)).toList();
        boolean passes = action.matchesAny() ? missing.size() < expected.size() : missing.isEmpty();
        if (passes) {
            return ProbeOutcome.success(question + ": " + shown(answers));
        }
        return ProbeOutcome.failure(FailureReason.UnexpectedAnswer, question + " answered " + shown(answers)
                + (action.matchesAny() ? ", expected any of " + shown(expected) : ", missing " + shown(missing)));
    }

    /** The RFC 1035 / 2136 names, as dig prints them. */
    private static String rcode(int code) {
        return switch (code) {
            case 1 -> "FORMERR: the server could not read the query";
            case 2 -> "SERVFAIL: the server failed to answer";
            case 3 -> "NXDOMAIN: the name does not exist";
            case 4 -> "NOTIMP: the server does not support the query";
            case 5 -> "REFUSED: the server refused the query";
            default -> "RCODE " + code;
        };
    }

    private static String shown(List<String> values) {
        if (values.size() <= SHOWN_VALUES) {
            return values.toString();
        }
        return values.subList(0, SHOWN_VALUES).toString().replaceFirst("]$", ", ... " + (values.size()
                - SHOWN_VALUES) + " more]");
    }

    private static String display(InetSocketAddress server) {
        String host = server.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + server.getPort();
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /**
     * Netty stops reading records at one that runs past the end of the datagram and hands on the rest as if the
     * answer had had fewer records; here such an answer is malformed, so it is never judged on a part.
     */
    private static final class StrictRecordDecoder implements DnsRecordDecoder {
        @Override
        public DnsQuestion decodeQuestion(ByteBuf in) throws Exception {
            return DnsRecordDecoder.DEFAULT.decodeQuestion(in);
        }

        @Override
        public <T extends DnsRecord> T decodeRecord(ByteBuf in) throws Exception {
            T record = DnsRecordDecoder.DEFAULT.decodeRecord(in);
            if (record == null) {
                throw new CorruptedFrameException("a record runs past the end of the answer");
            }
            return record;
        }
    }

    @Override
    public void close() {
        // Each probe's socket is closed when it ends or at its deadline.
    }
}
