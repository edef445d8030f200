// A client we did not write: the official TypeScript SDK calls a generation tool with an onprogress handler.
// The SDK validates the result's structuredContent against the tool's outputSchema itself (after listTools).
// Usage: node sdk_client.mjs <tool> <arguments-json> -- <server command...>; prints one JSON line.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [tool, argumentsJson, separator, command, ...args] = process.argv.slice(2);
if (separator !== "--" || !command) throw new Error("usage: sdk_client.mjs <tool> <json> -- <command...>");

const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" });
const client = new Client({ name: "unifically-mcp-tests", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools(); // also compiles each tool's output schema validator
if (!client.getToolOutputValidator(tool)) throw new Error(`no output schema validator for ${tool}`);

const progress = [];
const result = await client.callTool({ name: tool, arguments: JSON.parse(argumentsJson) }, undefined, {
  onprogress: (update) => progress.push(update),
  resetTimeoutOnProgress: true,
  timeout: 60_000,
});
await client.close();

const increasing = progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress);
console.log(JSON.stringify({
  server: client.getServerVersion(),
  tools: tools.length,
  progress,
  increasing,
  isError: result.isError ?? false,
  structured: result.structuredContent ?? null,
}));
