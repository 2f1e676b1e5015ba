// Drives the gateway with the official OpenAI SDK; prints one line per
// check for t/060-sdk.t to assert on.
import OpenAI from 'openai';

const baseURL = process.argv[2];
const client = new OpenAI({ apiKey: 'sk-demo', baseURL, maxRetries: 0 });

const chat = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hello SDK' }],
});
console.log(`CHAT ${chat.choices[0].message.content} ` +
            `tokens=${chat.usage.total_tokens}`);

const stream = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  stream: true,
  messages: [{ role: 'user', content: 'Hello stream' }],
});
let text = '';
let events = 0;
for await (const chunk of stream) {
  events++;
  text += chunk.choices[0]?.delta?.content ?? '';
}
console.log(`STREAM ${text} events=${events}`);

try {
  const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 });
  await bad.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
  console.log('AUTH no error');
} catch (e) {
  console.log(`AUTH ${e.constructor.name} ${e.status} ${e.code}`);
}

try {
  const broken = await client.chat.completions.create({
    model: 'broken/gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content: 'x' }],
  });
  let got = '';
  for await (const chunk of broken) {
    got += chunk.choices[0]?.delta?.content ?? '';
  }
  console.log(`BROKEN no error, got "${got}"`);
} catch (e) {
  console.log(`BROKEN ${e.constructor.name} ${e.message}`);
}

const models = await client.models.list();
console.log(`MODELS ${models.data.map((m) => m.id).join(',')}`);
