// The official Anthropic SDK against the gateway's Anthropic surface,
// served by an OpenAI-dialect provider: chat, tool use, streams (text and
// a tool call), token counting and a provider error as the SDK's typed
// error.  One line per check for t/062-sdk-anthropic.t.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ apiKey: 'sk-demo', baseURL: process.argv[2],
                               maxRetries: 0 });

const chat = await client.messages.create({
  model: 'gpt-text', max_tokens: 50, system: 'Be brief.',
  messages: [{ role: 'user', content: 'Hello' }],
});
console.log(`CHAT ${chat.content[0].text} stop=${chat.stop_reason} ` +
            `tokens=${chat.usage.input_tokens}+${chat.usage.output_tokens}`);

const weather = {
  name: 'get_weather', description: 'Weather',
  input_schema: { type: 'object', properties: { city: { type: 'string' } } },
};

const tools = await client.messages.create({
  model: 'gpt-tools', max_tokens: 50, tools: [weather],
  messages: [{ role: 'user', content: 'Weather in Rome?' }],
});
const use = tools.content.find((b) => b.type === 'tool_use');
console.log(`TOOL ${use.id} ${use.name} ${use.input.city} ` +
            `stop=${tools.stop_reason}`);

const stream = client.messages.stream({
  model: 'gpt-stream', max_tokens: 50,
  messages: [{ role: 'user', content: 'Hello' }],
});
const types = [];
stream.on('streamEvent', (e) => types.push(e.type));
const final = await stream.finalMessage();
console.log(`STREAM ${final.content[0].text} stop=${final.stop_reason} ` +
            `usage=${final.usage.input_tokens}+${final.usage.output_tokens} ` +
            `events=${types.join(',')}`);

const stools = client.messages.stream({
  model: 'gpt-stools', max_tokens: 50, tools: [weather],
  messages: [{ role: 'user', content: 'Weather in Oslo?' }],
});
const tfinal = await stools.finalMessage();
const tuse = tfinal.content.find((b) => b.type === 'tool_use');
console.log(`STOOL ${tuse.id} ${tuse.name} ${tuse.input.city} ` +
            `stop=${tfinal.stop_reason}`);

const count = await client.messages.countTokens({
  model: 'gpt-text', messages: [{ role: 'user', content: 'Hello, world' }],
});
console.log(`COUNT ${count.input_tokens}`);

try {
  await client.messages.create({
    model: 'gpt-bad', max_tokens: 5,
    messages: [{ role: 'user', content: 'x' }],
  });
  console.log('ERROR none');
} catch (e) {
  console.log(`ERROR ${e.constructor.name} ${e.status} ${e.error?.error?.type} ` +
              `${e.error?.error?.message}`);
}
