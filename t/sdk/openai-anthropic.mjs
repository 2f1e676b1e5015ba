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

try {
  await client.chat.completions.create({
    model: 'claude-bad', messages: [{ role: 'user', content: 'x' }],
  });
  console.log('ERROR none');
} catch (e) {
  console.log(`ERROR ${e.constructor.name} ${e.status} ${e.message}`);
}
