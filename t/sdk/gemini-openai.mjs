// The official Google Gen AI SDK against the gateway's Gemini surface,
// served by an OpenAI-dialect provider (and one stream by an Anthropic
// provider): chat, tool use, streams (text and a tool call), token
// counting and a provider error as the SDK's typed error.  One line per
// check for t/063-sdk-gemini.t.
import { GoogleGenAI, ApiError, Type } from '@google/genai';

const ai = new GoogleGenAI({ apiKey: 'sk-demo',
                             httpOptions: { baseUrl: process.argv[2] } });

const chat = await ai.models.generateContent({
  model: 'gpt-text', contents: 'Hello',
  config: { systemInstruction: 'Be brief.', maxOutputTokens: 50 },
});
console.log(`CHAT ${chat.text} finish=${chat.candidates[0].finishReason} ` +
            `tokens=${chat.usageMetadata.promptTokenCount}+` +
            `${chat.usageMetadata.candidatesTokenCount}`);

const weather = {
  functionDeclarations: [{
    name: 'get_weather', description: 'Weather',
    parameters: { type: Type.OBJECT,
                  properties: { city: { type: Type.STRING } } },
  }],
};

const tools = await ai.models.generateContent({
  model: 'gpt-tools', contents: 'Weather in Rome?',
  config: { tools: [weather] },
});
const call = tools.functionCalls[0];
console.log(`TOOL ${call.id} ${call.name} ${call.args.city}`);

/* the call answered: the history goes back with the function response */
const answered = await ai.models.generateContent({
  model: 'gpt-text',
  contents: [
    { role: 'user', parts: [{ text: 'Weather in Rome?' }] },
    { role: 'model', parts: [{ functionCall: call }] },
    { role: 'user', parts: [{ functionResponse: {
        id: call.id, name: call.name, response: { content: '21C' } } }] },
  ],
  config: { tools: [weather] },
});
console.log(`ANSWERED ${answered.text}`);

let text = '';
let chunks = 0;
let last;
for await (const c of await ai.models.generateContentStream({
  model: 'gpt-stream', contents: 'Hello',
})) {
  text += c.text ?? '';
  chunks++;
  last = c;
}
console.log(`STREAM ${text} chunks=${chunks} ` +
            `finish=${last.candidates[0].finishReason} ` +
            `usage=${last.usageMetadata.promptTokenCount}+` +
            `${last.usageMetadata.candidatesTokenCount}`);

let scall;
for await (const c of await ai.models.generateContentStream({
  model: 'gpt-stools', contents: 'Weather in Oslo?',
  config: { tools: [weather] },
})) {
  scall = c.functionCalls?.[0] ?? scall;
}
console.log(`STOOL ${scall.id} ${scall.name} ${scall.args.city}`);

text = '';
for await (const c of await ai.models.generateContentStream({
  model: 'claude-stream', contents: 'Hello',
})) {
  text += c.text ?? '';
  last = c;
}
console.log(`CLAUDE ${text} finish=${last.candidates[0].finishReason} ` +
            `usage=${last.usageMetadata.promptTokenCount}+` +
            `${last.usageMetadata.candidatesTokenCount}`);

const count = await ai.models.countTokens({
  model: 'gpt-text', contents: 'Hello, world',
});
console.log(`COUNT ${count.totalTokens}`);

try {
  await ai.models.generateContent({ model: 'gpt-bad', contents: 'x' });
  console.log('ERROR none');
} catch (e) {
  console.log(`ERROR ${e instanceof ApiError ? 'ApiError' : e.name} ` +
              `${e.status} ${e.message}`);
}
