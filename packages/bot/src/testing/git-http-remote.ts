import { spawn } from "node:child_process"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { basename, dirname } from "node:path"

/** A git pkt-line: four hex digits of length (their own included), then the payload. */
const pktLine = (payload: string) => `${(Buffer.byteLength(payload) + 4).toString(16).padStart(4, "0")}${payload}`

/** Serves a request with git's own smart-HTTP server (`git http-backend`, a CGI program). */
const httpBackend = (repository: string, req: IncomingMessage, res: ServerResponse, url: URL) => {
  const cgi = spawn("git", ["http-backend"], {
    env: {
      ...process.env,
      GIT_PROJECT_ROOT: dirname(repository),
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
    },
  })
  const chunks: Array<Buffer> = []
  cgi.stdout.on("data", (chunk: Buffer) => chunks.push(chunk))
  cgi.on("close", () => {
    const output = Buffer.concat(chunks)
    const end = output.indexOf("\r\n\r\n")
    const headers = output.subarray(0, end).toString("latin1").split("\r\n")
    const status = Number(/^Status: (\d+)/m.exec(headers.join("\n"))?.[1] ?? 200)
    res.writeHead(
      status,
      Object.fromEntries(
        headers
          .filter((line) => !line.startsWith("Status:"))
          .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
      ),
    )
    res.end(output.subarray(end + 4))
  })
  req.pipe(cgi.stdin)
}

/**
 * A bare repository served over smart HTTP on 127.0.0.1, as GitHub serves one: fetches work; a
 * push is refused with a remote error that echoes the credentials git sent (decoded), as a
 * careless server might. It records each request with the authorization header it carried.
 */
export const startGitHttpRemote = async (repository: string) => {
  const requests: Array<{ readonly path: string; readonly authorization: string }> = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const authorization = req.headers.authorization ?? ""
    requests.push({ path: `${url.pathname}${url.search}`, authorization })
    if (url.pathname.endsWith("/git-receive-pack") || url.searchParams.get("service") === "git-receive-pack") {
      const credentials = Buffer.from(authorization.replace(/^basic /i, ""), "base64").toString("utf8")
      res.writeHead(200, { "content-type": "application/x-git-receive-pack-advertisement" })
      res.end(`${pktLine("# service=git-receive-pack\n")}0000${pktLine(`ERR push refused for ${credentials}\n`)}`)
      return
    }
    httpBackend(repository, req, res, url)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/${basename(repository)}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
