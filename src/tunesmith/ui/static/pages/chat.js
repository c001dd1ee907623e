// The chat page (placeholder: filled in by its owner).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export default {
  strings: { en: { 'chat.title': 'chat' }, zh: { 'chat.title': 'chat' } },
  async render(main) {
    main.append(h('h1', {}, t('nav.chat')));
  },
};
