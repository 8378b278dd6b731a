// The OTLP/HTTP sink every OTLP variant sends to: loopback only, reads each request to the end,
// discards it and answers 200 with an empty OTLP response (JSON `{}` or an empty protobuf), on any
// path (/v1/traces, /v1/metrics, Langfuse's /api/public/otel/v1/traces). Its own process, so its
// CPU is not the measured process's. Prints `port N`; answers an IPC message with its counters.
import http from 'node:http';

let requests = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => {
    requests++;
    const json = String(req.headers['content-type']).includes('json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
  });
});
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
process.on('message', () => process.send({ requests, bytes }));
process.on('disconnect', () => process.exit(0));
