// The official OpenAI SDK against the gateway, served by an Anthropic
// provider: chat, tool use and a provider error as the SDK's typed error.
// One line per check for t/061-sdk-translate.t.
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: 'sk-demo', baseURL: process.argv[2],
                            maxRetries: 0 });

const chat = await client.chat.completions.create({
  model: 'claude-text',
  messages: [{ role: 'system', content: 'Be brief.' },
             { role: 'user', content: 'Hello' }],
});
console.log(`CHAT ${chat.choices[0].message.content} ` +
            `finish=${chat.choices[0].finish_reason} ` +
            `tokens=${chat.usage.prompt_tokens}+${chat.usage.completion_tokens}`);

const tools = await client.chat.completions.create({
  model: 'claude-tools',
  messages: [{ role: 'user', content: 'Weather in Rome?' }],
  tools: [{ type: 'function', function: {
    name: 'get_weather', description: 'Weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  } }],
});
const call = tools.choices[0].message.tool_calls[0];
console.log(`TOOL ${call.id} ${call.function.name} ` +
            `${JSON.parse(call.function.arguments).city} ` +
            `finish=${tools.choices[0].finish_reason}`);

const stream = await client.chat.completions.create({
  model: 'claude-stream', stream: true, stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Hello' }],
});
let text = '';
let chunks = 0;
let usage = null;
for await (const chunk of stream) {
  chunks++;
  text += chunk.choices[0]?.delta?.content ?? '';
  if (chunk.usage) usage = chunk.usage;
}
console.log(`STREAM ${text} chunks=${chunks} ` +
            `usage=${usage?.prompt_tokens}+${usage?.completion_tokens}`);

const stools = await client.chat.completions.create({
  model: 'claude-stools', stream: true,
  messages: [{ role: 'user', content: 'Weather in Oslo?' }],
  tools: [{ type: 'function', function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  } }],
});
let id = '';
let name = '';
let args = '';
let finish = '';
for await (const chunk of stools) {
  const c = chunk.choices[0];
  for (const tc of c?.delta?.tool_calls ?? []) {
    id ||= tc.id ?? '';
    name ||= tc.function?.name ?? '';
    args += tc.function?.arguments ?? '';
  }
  finish = c?.finish_reason ?? finish;
}
console.log(`STOOL ${id} ${name} ${JSON.parse(args).city} finish=${finish}`);

try {
  await client.chat.completions.create({
    model: 'claude-bad', messages: [{ role: 'user', content: 'x' }],
  });
  console.log('ERROR none');
} catch (e) {
  console.log(`ERROR ${e.constructor.name} ${e.status} ${e.message}`);
}
