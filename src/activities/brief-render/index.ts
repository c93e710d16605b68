/** Renderers for the handoff brief and notices: Slack Block Kit and email (HTML + text). */
export { briefBlocks, noticeBlocks, BRIEF_BLOCK_IDS, type SlackMessageContent } from './slack-blocks';
export { briefEmail, noticeEmail, type EmailContent } from './email-render';
export { InvalidBriefError } from './brief-input';
