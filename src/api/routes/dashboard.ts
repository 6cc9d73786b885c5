import { DASHBOARD_HTML } from '../dashboard/page.js'
import type { Handler } from '../router.js'

/** `GET /`: the live dashboard page (static; its script reads the API). */
export const dashboard = (): Handler => () => ({
  status: 200,
  text: DASHBOARD_HTML,
  contentType: 'text/html; charset=utf-8',
})
