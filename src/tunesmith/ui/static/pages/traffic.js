// The traffic page (placeholder: filled in by its owner).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export default {
  strings: { en: { 'traffic.title': 'traffic' }, zh: { 'traffic.title': 'traffic' } },
  async render(main) {
    main.append(h('h1', {}, t('nav.traffic')));
  },
};
