/**
 * data/chat/: chat templates (named ones and a tokenizer's Jinja template) that render a conversation into
 * (source, target), and where templates and LLaMA-Factory dataset entries come from (dataset_info.json,
 * tokenizer_config.json). The sub-folder's only door (rule (e) of test/house/imports.test.ts).
 */
export {
  CHAT_TEMPLATES, TEMPLATE_NAMES, namedTemplate, jinjaTemplate, renderChat,
  type ChatMessage, type ChatRenderer, type ChatRole, type Conversation,
} from './templates.ts';
export { chatRenderer, datasetInfoEntry, tokenizerChatTemplate, type ColumnMap, type DatasetInfoEntry, type TagMap } from './sources.ts';
