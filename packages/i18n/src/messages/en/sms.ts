/**
 * SMS texts. The sign-in notice goes out in Kazakh and Russian together (one message):
 * someone who took a member's code would not pick the member's language for them.
 */
export const sms = {
  'sms.code': 'Primaries: code {code}. Tell it to no one.',
  'sms.signInNotice': 'Primaries: someone signed in to vote as you at {time}. If it was not you, call {hotline}.',
} as const;
